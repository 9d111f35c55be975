import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  admission,
  apiKeyAuth,
  bodyBounds,
  createOpenApiApp,
  LatencyLanes,
  queueAdmission,
} from '@trainyard/http';
import type { InferDeps } from './deps';
import { createModelCache } from './model-cache';
import { registerPredict } from './routes/predict';

const PREDICT_PATH = /^\/v1\/models\/([^/]+)\/predict$/;

/** The inference function: predictions from trained models, read from S3. */
export function createInferApp(deps: InferDeps): OpenAPIHono {
  const { requests } = deps.config;
  const lanes = new LatencyLanes(
    deps.config.admission.infer.latencyBudgetMs,
    'INFER_LATENCY_BUDGET_MS',
    deps.loopDelay ? { loopDelay: deps.loopDelay } : {},
  );
  // Bodies are bounded after the key and the model's queue have admitted the request (below).
  const app = createOpenApiApp(deps.logger);
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
    description: 'An API key of the model’s project, any role (`inference`, `member`, `admin`)',
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
  // Every role may predict; the model must be the key's project's (else 404).
  app.use('/v1/*', apiKeyAuth({ store: deps.apiKeys, access: () => 'inference' }));
  const { admission: limits } = deps.config;
  app.use(
    '/v1/*',
    admission({
      windowSeconds: limits.windowSeconds,
      limits: limits.infer,
      ...(deps.limitsFor ? { limitsFor: deps.limitsFor } : {}),
      variables: { rateLimit: 'INFER_RATE_LIMIT', maxConcurrent: 'INFER_MAX_CONCURRENT_PER_KEY' },
    }),
  );
  // One lane per model: the queue its predictions wait in, counted from each one's arrival. It
  // comes after the key, so that only a caller who may predict learns that a model is busy (503
  // `overloaded`); the key check is a cached lookup, and the body is not read yet.
  app.use('/v1/*', queueAdmission({ laneOf: (c) => PREDICT_PATH.exec(c.req.path)?.[1], lanes }));
  app.use(
    '/v1/*',
    bodyBounds({
      maxBytes: deps.config.infer.maxBodyBytes,
      maxBytesVariable: 'INFER_MAX_BODY_BYTES',
      maxJsonDepth: requests.maxJsonDepth,
      timeoutMs: requests.bodyTimeoutMs,
      // The predict route reads `c.get('body')`; no fetch Request is rebuilt around it.
      bytesOnly: true,
    }),
  );
  registerPredict(app, {
    cache: deps.cache ?? createModelCache(deps),
    lanes,
    batchMax: deps.config.infer.batchMax,
  });
  return app;
}
