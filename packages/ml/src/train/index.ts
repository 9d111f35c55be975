export * from './adam';
export * from './callbacks';
export * from './class-weight';
export * from './divergence';
export * from './early-stopping';
export * from './loop';
export * from './optimizers';
export * from './seed';
