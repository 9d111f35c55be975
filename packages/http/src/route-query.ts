import type { OpenAPIHono } from '@hono/zod-openapi';
import { ValidationError } from '@trainyard/shared';
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';

/**
 * Refuses a query string on a route of `app` registered without a query schema (`GET
 * /v1/datasets/{id}?limit=2`): 400 naming the first parameter and saying that the route takes
 * none, as a route with a (strict) query schema names an unknown one. Routes not registered in
 * the OpenAPI registry (the console, `/openapi.json`) are left alone.
 */
export function queryWithoutSchema(app: OpenAPIHono): MiddlewareHandler {
  let seen = -1;
  // `GET /v1/datasets/:id` → its OpenAPI path, for routes with no query schema.
  let bare = new Map<string, string>();
  return async function queryWithoutSchema(c, next) {
    const question = c.req.url.indexOf('?');
    if (question === -1 || question === c.req.url.length - 1) return next();
    const definitions = app.openAPIRegistry.definitions;
    if (definitions.length !== seen) {
      seen = definitions.length;
      bare = new Map();
      for (const definition of definitions) {
        if (definition.type !== 'route' || definition.route.request?.query) continue;
        const { method, path } = definition.route;
        bare.set(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, path);
      }
    }
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    for (const route of matchedRoutes(c)) {
      if (route.method !== method) continue;
      const path = bare.get(`${method} ${route.path}`);
      if (path === undefined) continue;
      const name = new URL(c.req.url).searchParams.keys().next().value ?? '';
      throw new ValidationError(
        `query.${name}: unknown parameter ${JSON.stringify(name)}; ${c.req.method} ${path} takes no query parameters`,
        { param: `query.${name}` },
      );
    }
    return next();
  };
}
