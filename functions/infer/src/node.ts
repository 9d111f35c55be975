import { serve } from '@hono/node-server';
import { createRuntime, loadConfigOrExit, type Runtime } from '@trainyard/shared';
import { createInferApp } from './app';

/** Serves the inference function on Node; resolves once listening. */
export function startInferServer(runtime: Runtime, port = runtime.config.http.inferPort) {
  const app = createInferApp(runtime);
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
