import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { projectOfRequest as project } from '@trainyard/http';
import {
  baseModelSchema,
  createBaseModelSchema,
  idParam,
  listOf,
  listQueryFor,
  type OutboundGuard,
  type Storage,
} from '@trainyard/shared';
import { getBaseModel, importBaseModel, listBaseModels } from '../services/base-model-importer';
import { errorResponses, security } from './errors';

const tags = ['Base models'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const create = createRoute({
  method: 'post',
  path: '/v1/base-models',
  tags,
  security,
  summary: 'Import a pretrained TensorFlow.js LayersModel from a URL',
  description:
    'model.json is checked before any weight is fetched: shard paths must stay inside the model folder and the declared weights must fit the 512 MiB cap; the shards must hold exactly the declared bytes.',
  request: {
    body: { required: true, content: { 'application/json': { schema: createBaseModelSchema } } },
  },
  responses: {
    201: json(baseModelSchema, 'Imported'),
    400: errorResponses[400],
    401: errorResponses[401],
    422: json(
      z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
      'The source cannot be imported',
    ),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/base-models',
  tags,
  security,
  summary: 'The catalog of base models: imported ones, then the built-in ones',
  request: { query: listQueryFor('bm') },
  responses: {
    200: json(listOf(baseModelSchema, 'BaseModelList'), 'A page of base models'),
    401: errorResponses[401],
  },
});

const show = createRoute({
  method: 'get',
  path: '/v1/base-models/{id}',
  tags,
  security,
  summary: 'One base model',
  request: { params: idParam('bm') },
  responses: {
    200: json(baseModelSchema, 'The base model'),
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

/** `guard` fetches the `source.url` of imports (`OUTBOUND_ALLOW` decides what is internal but allowed). */
export function registerBaseModels(app: OpenAPIHono, storage: Storage, guard: OutboundGuard): void {
  app.openapi(create, async (c) =>
    c.json(await importBaseModel(storage, c.req.valid('json'), guard, project(c)), 201),
  );
  app.openapi(list, async (c) => {
    const { limit, after } = c.req.valid('query');
    return c.json(await listBaseModels(storage, limit, after, project(c)), 200);
  });
  app.openapi(show, async (c) =>
    c.json(await getBaseModel(storage, c.req.valid('param').id, project(c)), 200),
  );
}
