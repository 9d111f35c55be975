export { createInferApp } from './app';
export type { InferDeps } from './deps';
export {
  createModelCache,
  ModelCache,
  type ModelCacheOptions,
  type ModelCacheStats,
} from './model-cache';
export { startInferServer } from './node';
export { prepareInferApp, SERVING_WASM_THREADS } from './prepare';
