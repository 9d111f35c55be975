import { serve } from '@hono/node-server';
import { describeChoice, selectBackend } from '@trainyard/ml';
import { createRuntime, loadConfigOrExit, type Runtime } from '@trainyard/shared';
import { createInferApp } from './app';
import { ModelCache } from './model-cache';

/**
 * Serves the inference function on Node; resolves once listening. Chooses the TensorFlow.js
 * backend first (once per process) and loads `INFER_WARM_MODELS` before accepting requests.
 */
export async function startInferServer(
  runtime: Runtime,
  port = runtime.config.http.inferPort,
  options: { cache?: ModelCache } = {},
) {
  const choice = await selectBackend({ preference: runtime.config.backend });
  runtime.logger.info(
    { backend: choice.backend },
    `TensorFlow.js backend: ${describeChoice(choice)}`,
  );
  const cache =
    options.cache ??
    new ModelCache({
      storage: runtime.storage,
      logger: runtime.logger,
      maxBytes: runtime.config.infer.cacheBytes,
    });
  await cache.warm(runtime.config.infer.warmModels);
  const app = createInferApp({ ...runtime, cache });
  return new Promise<ReturnType<typeof serve>>((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: runtime.config.http.host, port }, () =>
      resolve(server),
    );
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = loadConfigOrExit();
  if (!config.s3.endpoint) {
    process.stderr.write(
      'S3_ENDPOINT is not set: run `npm start` for the embedded platform, or point S3_ENDPOINT at MinIO/S3\n',
    );
    process.exit(78);
  }
  await startInferServer(createRuntime(config, 'infer'));
}
