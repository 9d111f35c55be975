import { createRoute, type OpenAPIHono, type z } from '@hono/zod-openapi';
import { projectOfRequest as project } from '@trainyard/http';
import type { JobQueue } from '@trainyard/queue';
import {
  ConflictError,
  createdJobSchema,
  createJobSchema,
  idParam,
  isTerminal,
  type JobState,
  type JobStore,
  jobSchema,
  listOf,
  listQueryFor,
  toJobObject,
} from '@trainyard/shared';
import type { JobCreator } from '../services/job-creator';
import { errorResponses, security } from './errors';

const tags = ['Fine-tuning jobs'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
export const jobIdParam = idParam('ftjob');

const create = createRoute({
  method: 'post',
  path: '/v1/fine-tuning/jobs',
  tags,
  security,
  summary: 'Create a fine-tuning job',
  description:
    'Every field but `dataset` has a default chosen from the task and the dataset’s size; the job shows the values it runs with. Checked before anything is stored: the dataset is `ready`, the base model exists and takes this task’s inputs, the search space names tunable fields. A project with PROJECT_MAX_ACTIVE_JOBS jobs queued or running gets a 429 `too_many_active_jobs` with `Retry-After` (the plan route is not limited). With `webhook`, the answer carries `webhook.secret` (yours, or a new `whsec_…`), this once. Accepts `Idempotency-Key`.',
  request: {
    body: { required: true, content: { 'application/json': { schema: createJobSchema } } },
  },
  responses: {
    201: json(createdJobSchema, 'Created and queued'),
    400: errorResponses[400],
    401: errorResponses[401],
    404: errorResponses[404],
    409: errorResponses[409],
    422: errorResponses[422],
    429: errorResponses[429],
    503: errorResponses[503],
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/fine-tuning/jobs',
  tags,
  security,
  summary: 'List fine-tuning jobs, oldest first',
  description: 'Ids sort by creation time; page with `after` = the previous page’s `last_id`.',
  request: { query: listQueryFor('ftjob') },
  responses: {
    200: json(listOf(jobSchema, 'FineTuningJobList'), 'A page of jobs'),
    401: errorResponses[401],
  },
});

const show = createRoute({
  method: 'get',
  path: '/v1/fine-tuning/jobs/{id}',
  tags,
  security,
  summary: 'Show a fine-tuning job',
  request: { params: jobIdParam },
  responses: {
    200: json(jobSchema, 'The job'),
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

const cancel = createRoute({
  method: 'post',
  path: '/v1/fine-tuning/jobs/{id}/cancel',
  tags,
  security,
  summary: 'Cancel a queued or running job',
  description:
    'Stops the trainer (SIGTERM, then SIGKILL after a grace period; on AWS Batch, TerminateJob); no model is published. Answers once the job is `cancelled`, or after a few seconds with `cancel_requested: true` while the trainer stops. Cancelling a cancelled job answers it again; a succeeded or failed one is a 409.',
  request: { params: jobIdParam },
  responses: {
    200: json(jobSchema, 'The job'),
    401: errorResponses[401],
    404: errorResponses[404],
    409: errorResponses[409],
  },
});

/** A job the queue may have news of: still open, or ended with its webhook not yet sent. */
function unsettled(state: JobState): boolean {
  return !isTerminal(state.status) || (state.webhook.requested && !state.webhook.done);
}

export interface JobRoutesDeps {
  readonly store: JobStore;
  readonly creator: JobCreator;
  readonly queue: JobQueue;
}

export function registerJobs(app: OpenAPIHono, { store, creator, queue }: JobRoutesDeps): void {
  app.openapi(create, async (c) => {
    const { spec, secret } = await creator.create(c.req.valid('json'), project(c));
    const job = toJobObject(spec, await store.state(spec.id));
    return c.json(
      { ...job, webhook: spec.webhook && secret ? { ...spec.webhook, secret } : null },
      201,
    );
  });

  app.openapi(list, async (c) => {
    const { limit, after } = c.req.valid('query');
    const page = await store.page(project(c), limit, after);
    const jobs = await Promise.all(
      page.data.map(async (spec) => ({ spec, state: await store.state(spec.id) })),
    );
    const open = jobs.filter((j) => unsettled(j.state)).map((j) => j.spec.id);
    const changed = new Set(open.length ? await queue.reconcile(open) : []);
    const data = await Promise.all(
      jobs.map(async (j) =>
        toJobObject(j.spec, changed.has(j.spec.id) ? await store.state(j.spec.id) : j.state),
      ),
    );
    return c.json({ data, has_more: page.has_more, last_id: page.last_id }, 200);
  });

  app.openapi(show, async (c) => {
    const { id } = c.req.valid('param');
    let { spec, state } = await store.get(id, project(c));
    if (unsettled(state) && (await queue.reconcile([id])).length) {
      state = await store.state(id);
    }
    return c.json(toJobObject(spec, state), 200);
  });

  app.openapi(cancel, async (c) => {
    const { id } = c.req.valid('param');
    const { spec, state } = await store.get(id, project(c));
    if (isTerminal(state.status) && state.status !== 'cancelled') {
      throw new ConflictError(
        `Job ${id} already ${state.status}; only a queued or running job can be cancelled`,
        { code: 'job_finished', param: 'id' },
      );
    }
    if (!state.cancel_requested) {
      await store.log.append(id, {
        type: 'job.cancel_requested',
        message: 'Cancel requested through the API',
      });
    }
    if (!isTerminal(state.status)) await queue.cancel(id);
    // A trainer takes a moment to stop; answer with the outcome when it comes quickly.
    let now = await store.state(id);
    for (let i = 0; i < 30 && !isTerminal(now.status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      now = await store.state(id);
    }
    return c.json(toJobObject(spec, now), 200);
  });
}
