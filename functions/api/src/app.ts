import { swaggerUI } from '@hono/swagger-ui';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { DatasetService } from '@trainyard/datasets';
import {
  admission,
  apiKeyAuth,
  createOpenApiApp,
  idempotency,
  queryWithoutSchema,
} from '@trainyard/http';
import { createApiQueue } from '@trainyard/queue';
import { JobEventLog, JobStore, NotFoundError, OutboundGuard } from '@trainyard/shared';
import { apiAccess } from './access';
import { registerConsole } from './console/routes';
import type { ApiDeps } from './deps';
import { inferenceUrl } from './infer-url';
import { registerApiKeys } from './routes/api-keys';
import { registerBaseModels } from './routes/base-models';
import { registerAugmentationPreview } from './routes/dataset-augmentation';
import { registerDatasetFiles } from './routes/dataset-files';
import { registerDatasets } from './routes/datasets';
import { registerHealth } from './routes/health';
import { registerJobEvents } from './routes/job-events';
import { JOB_PLAN_PATH, registerJobPlan } from './routes/job-plan';
import { registerJobReports } from './routes/job-reports';
import { registerJobs } from './routes/jobs';
import { registerModelEvaluation } from './routes/model-evaluation';
import { registerModels } from './routes/models';
import { registerProjects } from './routes/projects';
import { AugmentationPreview } from './services/augmentation-preview';
import { JobCreator } from './services/job-creator';
import { ModelStore } from './services/model-store';
import { ProjectActiveJobs } from './services/project-active-jobs';

// The raw upload (direct, or forwarded by the console) and the console's forwarded predictions
// stream on under the caps of the routes that take them (API_UPLOAD_MAX_BYTES, INFER_MAX_BODY_BYTES).
const STREAMED_PATH = /^(\/console\/api)?\/v1\/datasets\/[^/]+\/file$|^\/console\/predict\/[^/]+$/;

/** The management API: datasets, base models, fine-tuning jobs, models, API keys. */
export function createApiApp(deps: ApiDeps): OpenAPIHono {
  const { requests } = deps.config;
  const app = createOpenApiApp(deps.logger, {
    maxBytes: requests.apiMaxBodyBytes,
    maxBytesVariable: 'API_MAX_BODY_BYTES',
    maxJsonDepth: requests.maxJsonDepth,
    timeoutMs: requests.bodyTimeoutMs,
    // The raw upload streams on to S3 under its own cap (API_UPLOAD_MAX_BYTES).
    streaming: (c) =>
      (c.req.method === 'PUT' || c.req.method === 'POST') && STREAMED_PATH.test(c.req.path),
  });
  registerHealth(app, deps.version, deps.storage);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key of one project, with a role (admin, member, inference): `npm start` prints the first; `npm run keys -- create` makes more',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Trainyard API',
      version: deps.version,
      description:
        'Upload datasets, fine-tune models and manage them. Predictions are served by the inference function. Every key belongs to one project and sees only its objects: another project’s object answers 404, as a missing one does.',
    },
  });
  // Swagger UI from the console's assets (swagger-ui-dist from npm), never from a CDN: /docs
  // works where the machine has no internet.
  app.get(
    '/docs',
    swaggerUI({
      url: '/openapi.json',
      title: 'Trainyard API',
      manuallySwaggerUIHtml: () => `
    <div id="swagger-ui"></div>
    <link rel="stylesheet" href="/console/assets/swagger-ui.css" />
    <script src="/console/assets/swagger-ui-bundle.js"></script>
    <script>
      window.onload = () => {
        window.ui = SwaggerUIBundle({ dom_id: '#swagger-ui', url: '/openapi.json' });
      };
    </script>`,
    }),
  );

  // Every key belongs to a project and has a role: `apiAccess` says which role each route needs,
  // and every store read below is scoped by the key's project (`projectOfRequest`).
  app.use('/v1/*', apiKeyAuth({ store: deps.apiKeys, access: apiAccess }));
  const { admission: limits } = deps.config;
  app.use(
    '/v1/*',
    admission({
      windowSeconds: limits.windowSeconds,
      limits: limits.api,
      ...(deps.limitsFor ? { limitsFor: deps.limitsFor } : {}),
      variables: { rateLimit: 'API_RATE_LIMIT', maxConcurrent: 'API_MAX_CONCURRENT_PER_KEY' },
    }),
  );
  // After the key (an unauthenticated caller learns nothing of the routes): a query string on a
  // route that takes none is a 400, as an unknown parameter of a route that takes some.
  app.use('/v1/*', queryWithoutSchema(app));
  app.use('/v1/*', idempotency({ storage: deps.storage, scope: 'api', pure: [JOB_PLAN_PATH] }));
  registerProjects(app, deps);
  registerApiKeys(app, deps);
  const log = new JobEventLog(deps.storage, 'api');
  const store = new JobStore(deps.storage, log);
  const datasets = new DatasetService({
    storage: deps.storage,
    logger: deps.logger,
    uploadMaxBytes: deps.config.uploadMaxBytes,
    multipartThreshold: deps.config.multipartThresholdBytes,
    maxProjectBytes: deps.config.projects.maxStoredBytes,
    jobsUsing: (id, project) => store.unfinishedUsing(id, project),
  });
  registerDatasets(app, datasets);
  registerDatasetFiles(app, datasets, deps.storage);
  registerAugmentationPreview(
    app,
    datasets,
    new AugmentationPreview(deps.storage, deps.imageDecoder),
  );
  const outbound = new OutboundGuard({ allow: deps.config.outbound.allow });
  registerBaseModels(app, deps.storage, outbound);

  const queue = deps.queue ?? createApiQueue(deps);
  const creator = new JobCreator({
    storage: deps.storage,
    datasets,
    store,
    log,
    queue,
    limits: deps.config.jobs,
    activeJobs: new ProjectActiveJobs(store, deps.storage, deps.config.projects.maxActiveJobs),
    outbound,
  });
  registerJobPlan(app, creator);
  registerJobs(app, { store, creator, queue });
  registerJobEvents(app, { store, queue });
  registerJobReports(app, store);
  const models = new ModelStore(deps.storage, deps.logger, deps.onModelDeleted);
  registerModels(app, models, deps.storage);
  // Not a route of this API: a client that sent a prediction here (an SDK or CLI without its
  // inference URL) is told where predictions are served, instead of a bare "no route".
  app.post('/v1/models/:id/predict', () => {
    throw new NotFoundError(
      `Predictions are served by the inference function, not the management API: POST ${inferenceUrl(deps)}/v1/models/{id}/predict (the SDK's \`inferUrl\`, the CLI's --infer-url or TRAINYARD_INFER_URL)`,
      { code: 'route_not_found' },
    );
  });
  registerModelEvaluation(app, models, deps.storage);
  registerConsole(app, deps);
  return app;
}
