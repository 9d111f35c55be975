import { serve } from '@hono/node-server';
import { createRuntime, loadConfigOrExit } from '@trainyard/shared';
import { createApiApp } from './app';
import type { ApiDeps } from './deps';

/** Serves the API on Node; resolves once listening. */
export function startApiServer(deps: ApiDeps, port = deps.config.http.apiPort) {
  const app = createApiApp(deps);
  return new Promise<ReturnType<typeof serve>>((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: deps.config.http.host, port }, () =>
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
  await startApiServer(createRuntime(config, 'api'));
}
