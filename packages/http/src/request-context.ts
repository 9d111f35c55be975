import type { Logger } from '@trainyard/shared';
import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';

/**
 * Gives each request an id (a valid incoming `X-Request-Id` is kept) and one structured log line,
 * with its `request_id`, when it ends. No logger is bound per request: a pino child costs about as
 * much as the rest of a refused request (its bindings go through redaction), and the error handler,
 * the one other writer, binds the id itself when it logs.
 */
export function requestContext(logger: Logger): MiddlewareHandler[] {
  return [
    requestId({ headerName: 'X-Request-Id' }),
    async function requestLog(c, next) {
      const started = performance.now();
      await next();
      if (!logger.isLevelEnabled('info')) return;
      logger.info(
        {
          request_id: c.get('requestId'),
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
