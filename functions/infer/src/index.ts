export { createInferApp } from './app';
export type { InferDeps } from './deps';
export { startInferServer } from './node';
