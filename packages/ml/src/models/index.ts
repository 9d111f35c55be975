export * from './attention-layers';
export * from './batch-norm';
export * from './build';
export * from './builtin-bases';
export * from './conv2d';
export * from './dropout';
export * from './frozen';
export * from './transfer';
