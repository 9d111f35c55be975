import { selectBackend } from '@trainyard/ml';
import { createRuntime, loadConfig } from '@trainyard/shared';
import { handle } from 'hono/aws-lambda';
import { createInferApp } from './app';
import { ModelCache } from './model-cache';

const runtime = createRuntime(loadConfig(), 'infer');
// Once per container, during the init phase: the backend, then the warm-up list.
await selectBackend({ preference: runtime.config.backend });
const cache = new ModelCache({
  storage: runtime.storage,
  logger: runtime.logger,
  maxBytes: runtime.config.infer.cacheBytes,
});
await cache.warm(runtime.config.infer.warmModels);
export const handler = handle(createInferApp({ ...runtime, cache }));
