export * from './attention-layers';
export * from './batch-norm';
export * from './build';
export * from './transfer';
