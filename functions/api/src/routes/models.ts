import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { idParam, listOf, listQueryFor, modelManifestSchema, modelSchema } from '@trainyard/shared';
import { errorResponses, security } from './errors';
import type { ModelStore } from './model-store';

const tags = ['Models'];
const modelIdParam = idParam('model');

const list = createRoute({
  method: 'get',
  path: '/v1/models',
  tags,
  security,
  summary: 'List published models, oldest first',
  request: { query: listQueryFor('model') },
  responses: {
    200: {
      description: 'A page of model manifests',
      content: { 'application/json': { schema: listOf(modelManifestSchema, 'ModelList') } },
    },
    401: errorResponses[401],
  },
});

const show = createRoute({
  method: 'get',
  path: '/v1/models/{id}',
  tags,
  security,
  summary: 'A model’s card: manifest, how it was made (card), and its validation metrics',
  request: { params: modelIdParam },
  responses: {
    200: { description: 'The model', content: { 'application/json': { schema: modelSchema } } },
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/models/{id}',
  tags,
  security,
  summary: 'Delete a model and every object under models/<id>/',
  request: { params: modelIdParam },
  responses: {
    200: {
      description: 'Deleted',
      content: {
        'application/json': {
          schema: z.object({
            id: z.string(),
            object: z.literal('model'),
            deleted: z.literal(true),
          }),
        },
      },
    },
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

export function registerModels(app: OpenAPIHono, models: ModelStore): void {
  app.openapi(list, async (c) => {
    const { limit, after } = c.req.valid('query');
    return c.json(await models.list(limit, after), 200);
  });
  app.openapi(show, async (c) => c.json(await models.get(c.req.valid('param').id), 200));
  app.openapi(remove, async (c) => c.json(await models.delete(c.req.valid('param').id), 200));
}
