import {
  describeValue,
  type ErrorKind,
  type Logger,
  NotFoundError,
  TrainyardError,
} from '@trainyard/shared';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

function body(c: Context, code: string, message: string, param?: string) {
  return {
    error: {
      code,
      message,
      ...(param ? { param } : {}),
      ...(c.get('requestId') ? { request_id: c.get('requestId') } : {}),
    },
  };
}

/**
 * The HTTP status of each kind of error: the one place a `TrainyardError` of any package
 * (shared's request errors, `ml`'s `ModelInputError`, `tuning`'s `TuningError`, …) becomes a status.
 */
export const STATUS_OF_KIND: Readonly<Record<ErrorKind, ContentfulStatusCode>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  timeout: 408,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  overloaded: 503,
};

/**
 * `Retry-After` of an error answer: the error's own (`TooManyRequestsError`, `OverloadedError`),
 * else 1 s for a dependency that is unavailable (a client backs off instead of hammering it).
 */
function retryAfterOf(error: TrainyardError): number | undefined {
  if ('retryAfterSeconds' in error && typeof error.retryAfterSeconds === 'number')
    return Math.max(1, Math.ceil(error.retryAfterSeconds));
  return error.kind === 'unavailable' ? 1 : undefined;
}

const MALFORMED_JSON = 'Malformed JSON in request body';
const utf8 = new TextDecoder();

/**
 * The 400 of a JSON body that does not parse (hono's validator says only "Malformed JSON"): the
 * parser's own message, with the position, and what the route expects.
 */
function invalidJson(c: Context, expected: string | undefined) {
  const bytes = c.get('body');
  let why = 'it does not parse';
  try {
    JSON.parse(bytes ? utf8.decode(bytes) : '');
  } catch (error) {
    why = (error as Error).message;
  }
  return {
    code: 'invalid_json',
    param: 'body',
    message: `Body is not valid JSON (${why}); expected ${expected ?? 'a JSON object'}`,
  };
}

/** Hono's own exceptions (body limit, bad JSON, …) in our shape, with a stable code. */
function fromHttpException(
  error: HTTPException,
  contentType: string | undefined,
): { code: string; message: string; param?: string } {
  const codes: Record<number, string> = {
    400: 'invalid_request',
    401: 'unauthenticated',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
  };
  if (error.status === 415) {
    // @hono/zod-openapi's media-type gate of a route whose body is JSON: say what came and what
    // goes (a `curl -d` without `-H 'content-type: application/json'` sends a form type).
    return {
      code: codes[415]!,
      param: 'header.content-type',
      message: `Content-Type: received ${contentType === undefined ? 'none' : describeValue(contentType)}; expected application/json (send the body as JSON with the header Content-Type: application/json)`,
    };
  }
  return { code: codes[error.status] ?? 'http_error', message: error.message || 'Request failed' };
}

/**
 * The one place errors become HTTP answers: `{error:{code,message,param,request_id}}`.
 * `TrainyardError`s answer with the status of their kind (`STATUS_OF_KIND`); internal ones
 * (`InternalError`, a broken invariant) and unknown errors are logged with their stack and
 * answered 500 without internals. A JSON body that does not parse is a 400 `invalid_json` with the
 * parser's message and `options.expectedBody` of the route.
 */
export function errorHandler(
  logger: Logger,
  options: {
    /** What the matched route takes as its JSON body, in words (`a JSON object {name, …}`). */
    readonly expectedBody?: (c: Context) => string | undefined;
  } = {},
): ErrorHandler {
  return function onError(error, c) {
    const id = c.get('requestId');
    const log = id ? logger.child({ request_id: id }) : logger;
    if (error instanceof TrainyardError && error.kind !== 'internal') {
      const status = STATUS_OF_KIND[error.kind];
      if (error.kind === 'unavailable') log.error({ err: error }, error.message);
      const retryAfter = retryAfterOf(error);
      if (retryAfter !== undefined) c.header('Retry-After', String(retryAfter));
      // The body may be left unread: the client must not reuse this connection.
      if (status === 413 || status === 408) c.header('Connection', 'close');
      return c.json(body(c, error.code, error.message, error.param), status);
    }
    if (error instanceof HTTPException) {
      if (error.status === 400 && error.message === MALFORMED_JSON) {
        const answer = invalidJson(c, options.expectedBody?.(c));
        return c.json(body(c, answer.code, answer.message, answer.param), 400);
      }
      const { code, message, param } = fromHttpException(error, c.req.header('content-type'));
      return c.json(body(c, code, message, param), error.status);
    }
    log.error({ err: error }, 'unhandled error');
    return c.json(
      body(c, 'internal_error', 'Internal error; quote the request id when reporting it'),
      500,
    );
  };
}

/** 404 in the same shape for routes that do not exist. */
export const notFoundHandler: NotFoundHandler = (c) => {
  const error = new NotFoundError(`No route ${c.req.method} ${c.req.path}`, {
    code: 'route_not_found',
  });
  return c.json(body(c, error.code, error.message), 404);
};
