import type { Logger } from '@trainyard/shared';
import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';

/**
 * Gives each request an id (a valid incoming `X-Request-Id` is kept), a logger bound to it, and
 * one structured log line when it ends.
 */
export function requestContext(logger: Logger): MiddlewareHandler[] {
  return [
    requestId({ headerName: 'X-Request-Id' }),
    async function requestLog(c, next) {
      const started = performance.now();
      const log = logger.child({ request_id: c.get('requestId') });
      c.set('log', log);
      await next();
      log.info(
        {
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        'request',
      );
    },
  ];
}
