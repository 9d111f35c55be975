import type { OpenAPIHono } from '@hono/zod-openapi';
import { processLoopDelay } from '@trainyard/http';
import { describeChoice, selectBackend } from '@trainyard/ml';
import { sharpImageDecoder } from '@trainyard/predict/sharp';
import { createInferApp } from './app';
import type { InferDeps } from './deps';
import { createModelCache } from './model-cache';

// Node and Lambda only (the backend choice and sharp); the edge entry prepares in `edge.ts`.

/**
 * XNNPACK threads when serving, unless `TFJS_WASM_THREADS` says otherwise. One request's
 * prediction is small (one image, a few rows): the pool's hand-off costs more than it saves, and
 * its worker spins on a core the event loop, sharp and the clients need (bench/README-infer.md).
 */
export const SERVING_WASM_THREADS = 1;

/**
 * What every entry does once per process before serving: choose the TensorFlow.js backend
 * (`config.backend`, logged; wasm on `TFJS_WASM_THREADS` threads, default 1), build the model cache (unless `deps.cache` is given; images decode with sharp, as training did) and load
 * `INFER_WARM_MODELS` into it (a model that fails to load is logged, not fatal). Returns the app.
 */
export async function prepareInferApp(deps: InferDeps): Promise<OpenAPIHono> {
  const choice = await selectBackend({
    preference: deps.config.backend,
    wasm: { threads: deps.config.wasmThreads ?? SERVING_WASM_THREADS },
  });
  deps.logger.info({ backend: choice.backend }, `TensorFlow.js backend: ${describeChoice(choice)}`);
  const cache = deps.cache ?? createModelCache(deps, { imageDecoder: sharpImageDecoder });
  await cache.warm(deps.config.infer.warmModels);
  return createInferApp({ ...deps, cache, loopDelay: deps.loopDelay ?? processLoopDelay() });
}
