/** The `error` object of every 4xx/5xx answer: `{"error":{code,message,param,request_id}}`. */
export interface ErrorBody {
  readonly code?: string;
  readonly message?: string;
  readonly param?: string;
  readonly request_id?: string;
}

/** What every error the SDK throws carries. */
export interface TrainyardErrorInit {
  /** HTTP status; undefined when no answer came (network error). */
  readonly status?: number;
  /** The server's stable `error.code`, e.g. `dataset_not_found`, `invalid_request`. */
  readonly code?: string;
  /** The field the error is about, e.g. `hyperparameters.epochs`. */
  readonly param?: string;
  /** The server's request id (`error.request_id` or the `X-Request-Id` header): quote it. */
  readonly requestId?: string;
  readonly headers?: Headers;
  readonly cause?: unknown;
}

/** The root of every error this SDK throws. */
export class TrainyardError extends Error {
  override readonly name: string = 'TrainyardError';
  readonly status: number | undefined;
  readonly code: string;
  readonly param: string | undefined;
  readonly requestId: string | undefined;
  readonly headers: Headers | undefined;

  constructor(message: string, init: TrainyardErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code ?? 'error';
    this.param = init.param;
    this.requestId = init.requestId;
    this.headers = init.headers;
  }
}

/** No answer: the connection failed or dropped (after the retries). `status` is undefined. */
export class ConnectionError extends TrainyardError {
  override readonly name: string = 'ConnectionError';
}
/** 400: the request is invalid; `param` names the field. */
export class BadRequestError extends TrainyardError {
  override readonly name: string = 'BadRequestError';
}
/** 401: missing, unknown or revoked API key. */
export class AuthenticationError extends TrainyardError {
  override readonly name: string = 'AuthenticationError';
}
/** 403: the key may not do this (an `infer`-only key on the API, say). */
export class PermissionDeniedError extends TrainyardError {
  override readonly name: string = 'PermissionDeniedError';
}
/** 404: no such resource (or route). */
export class NotFoundError extends TrainyardError {
  override readonly name: string = 'NotFoundError';
}
/** 409: conflicts with the resource's state (a finished job, a reused idempotency key…). */
export class ConflictError extends TrainyardError {
  override readonly name: string = 'ConflictError';
}
/** 413: the body is over the server's cap. */
export class PayloadTooLargeError extends TrainyardError {
  override readonly name: string = 'PayloadTooLargeError';
}
/** 415: a media type the route does not take. */
export class UnsupportedMediaTypeError extends TrainyardError {
  override readonly name: string = 'UnsupportedMediaTypeError';
}
/** 422: well-formed but not possible with what it refers to. */
export class UnprocessableEntityError extends TrainyardError {
  override readonly name: string = 'UnprocessableEntityError';
}
/** 429: too many requests (retried first, honouring `Retry-After`). */
export class RateLimitError extends TrainyardError {
  override readonly name: string = 'RateLimitError';
}
/** 5xx: the server or a dependency failed (retried first). */
export class InternalServerError extends TrainyardError {
  override readonly name: string = 'InternalServerError';
}

const BY_STATUS: Record<number, typeof TrainyardError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  415: UnsupportedMediaTypeError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

function errorBody(body: unknown): ErrorBody {
  if (body && typeof body === 'object' && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (error && typeof error === 'object') return error as ErrorBody;
  }
  return {};
}

/**
 * The typed error for a non-2xx answer: the class by status (5xx → `InternalServerError`,
 * another status → `TrainyardError`), with the server's message, code, param and request id.
 * `body` is the parsed JSON body, or its text when it was not JSON.
 */
export function errorFromResponse(response: Response, body: unknown): TrainyardError {
  const error = errorBody(body);
  const status = response.status;
  const Class = BY_STATUS[status] ?? (status >= 500 ? InternalServerError : TrainyardError);
  const text = typeof body === 'string' && body ? body.slice(0, 500) : undefined;
  const message = error.message ?? text ?? `${status} ${response.statusText || 'error'}`;
  return new Class(message, {
    status,
    code: error.code ?? `http_${status}`,
    param: error.param,
    requestId: error.request_id ?? response.headers.get('x-request-id') ?? undefined,
    headers: response.headers,
  });
}

/** Reads a failed answer's body and throws its typed error. */
export async function throwFromResponse(response: Response): Promise<never> {
  const text = await response.text().catch(() => '');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  throw errorFromResponse(response, body);
}
