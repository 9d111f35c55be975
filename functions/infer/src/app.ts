import type { OpenAPIHono } from '@hono/zod-openapi';
import { apiKeyAuth, createOpenApiApp } from '@trainyard/http';
import type { InferDeps } from './deps';

/** The inference function: predictions from trained models, read from S3. */
export function createInferApp(deps: InferDeps): OpenAPIHono {
  const app = createOpenApiApp(deps.logger);
  app.get('/healthz', (c) =>
    c.json({ status: 'ok' as const, service: 'infer', version: deps.version }),
  );
  app.use('/v1/*', apiKeyAuth({ store: deps.apiKeys, scope: 'infer' }));
  return app;
}
