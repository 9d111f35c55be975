import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  createdProjectSchema,
  createProjectSchema,
  currentProjectSchema,
  listOf,
  projectSchema,
} from '@trainyard/shared';
import type { ApiDeps } from '../deps';
import { errorResponses, security } from './errors';

const tags = ['Projects'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const forbidden = json(
  z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
  'Not the operator’s key',
);

/** `GET /v1/projects/current`: open to every valid key, whatever its role. */
export const CURRENT_PROJECT_PATH = '/v1/projects/current';
/** Creating and listing projects: the operator's key only. */
export const PROJECTS_PATH = '/v1/projects';

const current = createRoute({
  method: 'get',
  path: CURRENT_PROJECT_PATH,
  tags,
  security,
  summary: 'The project and role of the calling key (any role)',
  responses: {
    200: json(currentProjectSchema, 'The key’s project and the key'),
    401: errorResponses[401],
  },
});

const create = createRoute({
  method: 'post',
  path: PROJECTS_PATH,
  tags,
  security,
  summary: 'Create a project and its first admin key (the operator’s key only)',
  description:
    'The operator’s key is the one `npm start` printed first (or TRAINYARD_API_KEY). The new admin key’s `secret` is in this answer only. Accepts `Idempotency-Key`.',
  request: {
    body: { required: true, content: { 'application/json': { schema: createProjectSchema } } },
  },
  responses: {
    201: json(createdProjectSchema, 'Created'),
    400: errorResponses[400],
    401: errorResponses[401],
    403: forbidden,
    409: errorResponses[409],
  },
});

const list = createRoute({
  method: 'get',
  path: PROJECTS_PATH,
  tags,
  security,
  summary: 'Every project (the operator’s key only)',
  responses: {
    200: json(listOf(projectSchema, 'ProjectList'), 'Projects by id'),
    401: errorResponses[401],
    403: forbidden,
  },
});

export function registerProjects(app: OpenAPIHono, { projects, apiKeys }: ApiDeps): void {
  app.openapi(current, async (c) => {
    const key = c.get('apiKey');
    return c.json({ project: await projects.get(key.project), key }, 200);
  });
  app.openapi(create, async (c) => {
    const { name, admin_key_name } = c.req.valid('json');
    const project = await projects.create(name);
    const { key, secret } = await apiKeys.create(admin_key_name, {
      project: project.id,
      role: 'admin',
    });
    return c.json({ project, admin_key: { ...key, secret } }, 201);
  });
  app.openapi(list, async (c) => {
    const data = await projects.list();
    return c.json({ data, has_more: false, last_id: data.at(-1)?.id ?? null }, 200);
  });
}
