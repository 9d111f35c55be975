import type { Hook } from '@hono/zod-openapi';
import { fromZodError } from '@trainyard/shared';
import type { Env } from 'hono';

/**
 * `defaultHook` for `OpenAPIHono`: a failed request validation becomes a `ValidationError` whose
 * `param` is prefixed with where the value was (`body`, `query`, `path`, `header`).
 */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by every route's schema
export const validationHook: Hook<any, Env, any, any> = (result, _c) => {
  if (!result.success) {
    const where = {
      json: 'body',
      form: 'body',
      query: 'query',
      param: 'path',
      header: 'header',
      cookie: 'cookie',
    }[result.target as string];
    throw fromZodError(result.error, where, (result as { data?: unknown }).data);
  }
};
