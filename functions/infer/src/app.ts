import type { OpenAPIHono } from '@hono/zod-openapi';
import { apiKeyAuth, createOpenApiApp } from '@trainyard/http';
import type { InferDeps } from './deps';
import { createModelCache } from './model-cache';
import { registerPredict } from './routes/predict';

/** The inference function: predictions from trained models, read from S3. */
export function createInferApp(deps: InferDeps): OpenAPIHono {
  const { requests } = deps.config;
  const app = createOpenApiApp(deps.logger, {
    maxBytes: deps.config.infer.maxBodyBytes,
    maxBytesVariable: 'INFER_MAX_BODY_BYTES',
    maxJsonDepth: requests.maxJsonDepth,
    timeoutMs: requests.bodyTimeoutMs,
  });
  app.get('/healthz', (c) =>
    c.json({ status: 'ok' as const, service: 'infer', version: deps.version }),
  );
  // Readiness apart from liveness: S3 answering (models load from it), 503 while it does not.
  app.get('/readyz', async (c) => {
    const s3 = await deps.storage.check();
    return c.json(
      { status: s3.ok ? 'ready' : 'unavailable', service: 'infer', checks: { s3 } },
      s3.ok ? 200 : 503,
    );
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key with the `infer` scope (or both scopes)',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Trainyard inference',
      version: deps.version,
      description:
        'Predictions from published models, with the preprocessing they were trained with.',
    },
  });
  app.use('/v1/*', apiKeyAuth({ store: deps.apiKeys, scope: 'infer' }));
  registerPredict(app, { cache: deps.cache ?? createModelCache(deps) });
  return app;
}
