import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { healthSchema } from '@trainyard/shared';

const health = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['Operations'],
  summary: 'Liveness of the API function',
  responses: {
    200: { description: 'Up', content: { 'application/json': { schema: healthSchema } } },
  },
});

export function registerHealth(app: OpenAPIHono, version: string): void {
  app.openapi(health, (c) => c.json({ status: 'ok' as const, service: 'api', version }, 200));
}
