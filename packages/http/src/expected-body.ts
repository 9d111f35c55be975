import type { OpenAPIHono } from '@hono/zod-openapi';
import { registerSchemaTree } from '@trainyard/shared';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

/** Internals of a zod 4 schema read here. */
interface Zod {
  readonly _zod: {
    readonly def: {
      readonly type?: string;
      readonly shape?: Record<string, Zod>;
      readonly innerType?: Zod;
      readonly in?: Zod;
    };
    readonly optin?: 'optional';
  };
}

/** The object schema behind wrappers (default, pipe, refine…), or undefined. */
function objectOf(schema: Zod | undefined, depth = 0): Zod | undefined {
  const def = schema?._zod?.def;
  if (!def || depth > 8) return undefined;
  if (def.type === 'object') return schema;
  return objectOf(def.innerType ?? def.in, depth + 1);
}

/**
 * What the route matched by `c` takes as its JSON body, in words, from the schema it was
 * registered with: `a JSON object {name, type, size_bytes?} (the body of POST /v1/datasets)`,
 * optional fields marked `?`. `undefined` for a route not registered with a JSON body.
 */
export function expectedJsonBody(app: OpenAPIHono, c: Context): string | undefined {
  const method = c.req.method.toLowerCase();
  const path = routePath(c);
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== 'route') continue;
    const route = definition.route;
    if (route.method !== method || route.path.replace(/\{(\w+)\}/g, ':$1') !== path) continue;
    const body = route.request?.body;
    const content = body && 'content' in body ? body.content : undefined;
    const media = content?.['application/json'] as { schema?: unknown } | undefined;
    const schema = media?.schema as Zod | undefined;
    const object = objectOf(schema);
    const where = `the body of ${c.req.method} ${route.path}`;
    if (!object) return schema ? `JSON: ${where}` : undefined;
    const fields = Object.entries(object._zod.def.shape ?? {}).map(
      ([name, field]) => `${name}${field._zod.optin === 'optional' ? '?' : ''}`,
    );
    const listed = fields.length > 20 ? `${fields.slice(0, 20).join(', ')}, …` : fields.join(', ');
    return `a JSON object {${listed}} (${where}; fields marked ? are optional)`;
  }
  return undefined;
}

/**
 * Registers the JSON body schema of every route of `app` (`registerSchemaTree`), on the first
 * request and again when routes were added since, so that an unknown field one level too deep is
 * named where it belongs.
 */
export function schemaTrees(app: OpenAPIHono): MiddlewareHandler {
  let seen = 0;
  return async function schemaTrees(_c, next) {
    const definitions = app.openAPIRegistry.definitions;
    if (definitions.length !== seen) {
      seen = definitions.length;
      for (const definition of definitions) {
        if (definition.type !== 'route') continue;
        const body = definition.route.request?.body;
        if (body && 'content' in body)
          registerSchemaTree((body.content['application/json'] as { schema?: unknown })?.schema);
      }
    }
    return next();
  };
}
