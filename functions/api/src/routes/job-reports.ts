import { createRoute, type OpenAPIHono, type z } from '@hono/zod-openapi';
import { projectOfRequest as project } from '@trainyard/http';
import {
  checkpointsFromEvents,
  type JobStore,
  jobCheckpointsSchema,
  jobMetricsSchema,
  jobTrialsSchema,
  metricsFromEvents,
  trialsFromEvents,
} from '@trainyard/shared';
import type { Context } from 'hono';
import { errorResponses, security } from './errors';
import { jobIdParam } from './jobs';

const tags = ['Fine-tuning jobs'];
const route = <T extends z.ZodType>(path: string, summary: string, schema: T) =>
  createRoute({
    method: 'get',
    path: `/v1/fine-tuning/jobs/{id}/${path}`,
    tags,
    security,
    summary,
    request: { params: jobIdParam },
    responses: {
      200: { description: summary, content: { 'application/json': { schema } } },
      401: errorResponses[401],
      404: errorResponses[404],
    },
  });

const metrics = route(
  'metrics',
  'Per-epoch metrics (per trial when tuning), in order',
  jobMetricsSchema,
);
const checkpoints = route(
  'checkpoints',
  'Saved checkpoints with their metrics',
  jobCheckpointsSchema,
);
const trials = route(
  'trials',
  'Tuning trials: params, status, objective, epochs run, pruned',
  jobTrialsSchema,
);

/** Reads the job's events of these types only (a listing says each event's type). */
async function eventsOf(c: Context, store: JobStore, id: string, types: (t: string) => boolean) {
  await store.get(id, project(c)); // 404 for an unknown job, or another project's
  return store.log.read((await store.log.refs(id)).filter((r) => types(r.type)));
}

export function registerJobReports(app: OpenAPIHono, store: JobStore): void {
  app.openapi(metrics, async (c) => {
    const events = await eventsOf(
      c,
      store,
      c.req.valid('param').id,
      (t) => t === 'epoch.completed',
    );
    return c.json({ data: metricsFromEvents(events) }, 200);
  });

  app.openapi(checkpoints, async (c) => {
    const events = await eventsOf(
      c,
      store,
      c.req.valid('param').id,
      (t) => t === 'checkpoint.saved',
    );
    return c.json({ data: checkpointsFromEvents(events) }, 200);
  });

  app.openapi(trials, async (c) => {
    const events = await eventsOf(
      c,
      store,
      c.req.valid('param').id,
      (t) => t.startsWith('trial.') || t === 'study.best' || t === 'epoch.completed',
    );
    return c.json(trialsFromEvents(events), 200);
  });
}
