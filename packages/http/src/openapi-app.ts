import { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from '@trainyard/shared';
import { type QueueAdmissionOptions, queueAdmission } from './admission';
import { type BodyBoundsOptions, bodyBounds } from './body-bounds';
import { errorHandler, notFoundHandler } from './error-handler';
import { expectedJsonBody, schemaTrees } from './expected-body';
import { requestContext } from './request-context';
import { validationHook } from './validation-hook';

/**
 * An `OpenAPIHono` app with request ids, JSON logs, our validation errors and error shape, and,
 * given `bounds`, a bounded body on every route; given `queue`, admission by queue depth
 * (`queueAdmission`) before anything else is done with a request. (The inference function adds
 * both itself, after the key check.)
 */
export function createOpenApiApp(
  logger: Logger,
  bounds?: BodyBoundsOptions,
  queue?: QueueAdmissionOptions,
): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.use('*', ...requestContext(logger));
  if (queue) app.use('*', queueAdmission(queue));
  if (bounds) app.use('*', bodyBounds(bounds));
  app.use('*', schemaTrees(app));
  app.onError(errorHandler(logger, { expectedBody: (c) => expectedJsonBody(app, c) }));
  app.notFound(notFoundHandler);
  return app;
}
