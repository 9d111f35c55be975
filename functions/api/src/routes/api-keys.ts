import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { projectOfRequest as project } from '@trainyard/http';
import {
  apiKeyIdParam,
  apiKeySchema,
  createApiKeySchema,
  createdApiKeySchema,
  errorBodySchema,
  listOf,
} from '@trainyard/shared';
import type { ApiDeps } from '../deps';

const errors = {
  400: {
    description: 'Invalid request',
    content: { 'application/json': { schema: errorBodySchema } },
  },
  401: {
    description: 'Missing or invalid API key',
    content: { 'application/json': { schema: errorBodySchema } },
  },
  403: {
    description: 'The key is not an admin key of its project',
    content: { 'application/json': { schema: errorBodySchema } },
  },
  404: {
    description: 'No such key in this project',
    content: { 'application/json': { schema: errorBodySchema } },
  },
};
const security = [{ bearerAuth: [] }];

const list = createRoute({
  method: 'get',
  path: '/v1/api-keys',
  tags: ['API keys'],
  summary: 'List the project’s API keys (their hashes stay server-side); needs the admin role',
  security,
  responses: {
    200: {
      description: 'Keys',
      content: { 'application/json': { schema: listOf(apiKeySchema, 'ApiKeyList') } },
    },
    401: errors[401],
    403: errors[403],
  },
});

const create = createRoute({
  method: 'post',
  path: '/v1/api-keys',
  tags: ['API keys'],
  summary:
    'Create an API key of this project with a role (default member); its secret is in this answer only; needs the admin role',
  security,
  request: {
    body: { required: true, content: { 'application/json': { schema: createApiKeySchema } } },
  },
  responses: {
    201: {
      description: 'Created',
      content: { 'application/json': { schema: createdApiKeySchema } },
    },
    400: errors[400],
    401: errors[401],
    403: errors[403],
  },
});

const revoke = createRoute({
  method: 'delete',
  path: '/v1/api-keys/{id}',
  tags: ['API keys'],
  summary: 'Revoke one of the project’s API keys; needs the admin role',
  security,
  request: { params: apiKeyIdParam },
  responses: {
    200: { description: 'Revoked', content: { 'application/json': { schema: apiKeySchema } } },
    401: errors[401],
    403: errors[403],
    404: errors[404],
  },
});

/** Key administration, within the caller's project only (the `admin` role is checked by the app). */
export function registerApiKeys(app: OpenAPIHono, { apiKeys }: ApiDeps): void {
  app.openapi(list, async (c) => {
    const data = await apiKeys.list(project(c));
    return c.json({ data, has_more: false, last_id: data.at(-1)?.id ?? null }, 200);
  });
  app.openapi(create, async (c) => {
    const { name, role } = c.req.valid('json');
    const { key, secret } = await apiKeys.create(name, { project: project(c), role });
    return c.json({ ...key, secret }, 201);
  });
  app.openapi(revoke, async (c) =>
    c.json(await apiKeys.revoke(c.req.valid('param').id, project(c)), 200),
  );
}
