export * from './attention-layers';
export * from './build';
export * from './transfer';
