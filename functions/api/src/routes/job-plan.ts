import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { projectOfRequest as project } from '@trainyard/http';
import { createJobSchema, jobPlanSchema, planJob } from '@trainyard/shared';
import type { JobCreator } from '../services/job-creator';
import { errorResponses, security } from './errors';

/** Answered afresh each time: the idempotency middleware stores nothing for it. */
export const JOB_PLAN_PATH = '/v1/fine-tuning/jobs/plan';

const plan = createRoute({
  method: 'post',
  path: JOB_PLAN_PATH,
  tags: ['Fine-tuning jobs'],
  security,
  summary: 'Plan a fine-tuning job without creating it',
  description:
    'Takes the body `POST /v1/fine-tuning/jobs` takes and checks it exactly as creation does (the same 4xx for the same request), then answers what the job would run with (`spec`, every default filled in) and an estimate: the model’s parameters, the memory training needs, the steps it runs, and the time on the local backend from a measured calibration. Creates nothing: no job, no event, nothing stored.',
  request: {
    body: { required: true, content: { 'application/json': { schema: createJobSchema } } },
  },
  responses: {
    200: {
      description: 'The plan',
      content: { 'application/json': { schema: jobPlanSchema } },
    },
    400: errorResponses[400],
    401: errorResponses[401],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

/** The id a planned spec carries while it is resolved; the plan shows the spec without it. */
const PLAN_ID = 'ftjob_plan';

export function registerJobPlan(app: OpenAPIHono, creator: JobCreator): void {
  app.openapi(plan, async (c) => {
    const { spec, dataset, validation, manifest } = await creator.resolve(
      PLAN_ID,
      c.req.valid('json'),
      project(c),
    );
    return c.json(planJob({ spec, dataset, manifest, validationDataset: validation }), 200);
  });
}
