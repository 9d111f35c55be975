export * from './encode';
export * from './inputs';
export * from './load';
export * from './outputs';
export * from './predictor';
export * from './spec';
