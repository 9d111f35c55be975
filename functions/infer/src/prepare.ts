import type { OpenAPIHono } from '@hono/zod-openapi';
import { describeChoice, selectBackend } from '@trainyard/ml';
import { sharpImageDecoder } from '@trainyard/predict/sharp';
import { createInferApp } from './app';
import type { InferDeps } from './deps';
import { createModelCache } from './model-cache';

// Node and Lambda only (the backend choice and sharp); the edge entry prepares in `edge.ts`.

/**
 * What every entry does once per process before serving: choose the TensorFlow.js backend
 * (`config.backend`, logged), build the model cache (unless `deps.cache` is given; images decode with sharp, as training did) and load
 * `INFER_WARM_MODELS` into it (a model that fails to load is logged, not fatal). Returns the app.
 */
export async function prepareInferApp(deps: InferDeps): Promise<OpenAPIHono> {
  const choice = await selectBackend({ preference: deps.config.backend });
  deps.logger.info({ backend: choice.backend }, `TensorFlow.js backend: ${describeChoice(choice)}`);
  const cache = deps.cache ?? createModelCache(deps, { imageDecoder: sharpImageDecoder });
  await cache.warm(deps.config.infer.warmModels);
  return createInferApp({ ...deps, cache });
}
