export { createInferApp } from './app';
export type { InferDeps } from './deps';
export { ModelCache, type ModelCacheOptions, type ModelCacheStats } from './model-cache';
export { startInferServer } from './node';
