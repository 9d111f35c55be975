import { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from '@trainyard/shared';
import { errorHandler, notFoundHandler } from './error-handler';
import { requestContext } from './request-context';
import { validationHook } from './validation-hook';

/** An `OpenAPIHono` app with request ids, JSON logs, our validation errors and error shape. */
export function createOpenApiApp(logger: Logger): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.use('*', ...requestContext(logger));
  app.onError(errorHandler(logger));
  app.notFound(notFoundHandler);
  return app;
}
