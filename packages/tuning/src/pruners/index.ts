export * from './asha';
export * from './hyperband';
export * from './median';
export * from './none';
export * from './pruner';
