export * from './grid';
export * from './random';
export * from './sampler';
export * from './tpe';
