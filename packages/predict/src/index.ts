// `@trainyard/predict`: a Trainyard model's files + its preprocessing → predictions, in any
// JavaScript runtime (no `node:` module here; Node helpers in `./node`, sharp in `./sharp`).
export * from './decoders/portable';
export * from './encode';
export * from './errors';
export * from './inputs';
export * from './layers/attention';
export * from './layers/generalized-mean-pooling';
export * from './load';
export * from './outputs';
export * from './predictor';
export * from './preprocess/image';
export * from './preprocess/table';
export * from './preprocess/text';
export * from './spec';
