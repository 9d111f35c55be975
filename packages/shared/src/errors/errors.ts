/**
 * What kind of failure an error is, whatever the transport: the HTTP error handler
 * (`packages/http/src/error-handler.ts`) maps each kind to a status, the trainer reports the
 * caller-caused kinds as `job.failed`. Kinds, not statuses, so that packages without HTTP
 * (`ml`, `tuning`, `datasets`, the trainer) classify their errors without speaking HTTP.
 */
export type ErrorKind =
  /** A field has the wrong type or value (HTTP 400). */
  | 'invalid'
  /** Well-formed, but it cannot be carried out on the current state or data (422). */
  | 'unprocessable'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  /** The request (its body) did not arrive in time (408). */
  | 'timeout'
  | 'unsupported_media_type'
  /** The caller sent more than its limits allow (a rate or a concurrency limit; 429). */
  | 'rate_limited'
  /** The server sheds load: it cannot serve this within its latency budget now (503). */
  | 'overloaded'
  /** A dependency (the S3 endpoint, the queue, a backend) is unavailable (503). */
  | 'unavailable'
  /** A bug or an impossible state (500). */
  | 'internal';

/** The kinds of error the caller caused and can fix (not `unavailable` or `internal`). */
export function isCallerError(error: TrainyardError): boolean {
  return error.kind !== 'internal' && error.kind !== 'unavailable' && error.kind !== 'overloaded';
}

/**
 * The one error hierarchy of Trainyard: every error the code throws on purpose is a
 * `TrainyardError` with a stable `code`, its `kind`, and, where one field is at fault, the `param`
 * path of that field. Packages add their own subclasses (`ml`: `ModelInputError`, …; `tuning`:
 * `TuningError`, …); the Hono apps render them all in one `onError`.
 */
export class TrainyardError extends Error {
  readonly kind: ErrorKind = 'internal';
  readonly code: string = 'internal_error';
  readonly param: string | undefined;

  constructor(message: string, options: { param?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.param = options.param;
  }
}

/**
 * An impossible state or a broken invariant (a bug, not the caller's doing): the named
 * replacement of `new Error(…)` for asserts.
 */
export class InternalError extends TrainyardError {}

/** Throws an `InternalError` with `message` unless `condition` holds. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InternalError(message);
}

/** 400: the request is malformed or a field has the wrong type or value. */
export class ValidationError extends TrainyardError {
  override readonly kind: ErrorKind = 'invalid';
  override readonly code: string;
  constructor(message: string, options: { param?: string; code?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = options.code ?? 'invalid_request';
  }
}

/** 422: the request is well-formed but cannot be carried out on the current state. */
export class UnprocessableError extends TrainyardError {
  override readonly kind: ErrorKind = 'unprocessable';
  override readonly code: string;
  constructor(message: string, options: { param?: string; code?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = options.code ?? 'unprocessable';
  }
}

/** 401: no API key, or one that is unknown or revoked. */
export class AuthenticationError extends TrainyardError {
  override readonly kind: ErrorKind = 'unauthenticated';
  override readonly code = 'unauthenticated';
}

/** 403: a valid key that may not do this. */
export class PermissionError extends TrainyardError {
  override readonly kind: ErrorKind = 'forbidden';
  override readonly code: string = 'forbidden';
}

/** 404: the addressed resource does not exist. */
export class NotFoundError extends TrainyardError {
  override readonly kind: ErrorKind = 'not_found';
  override readonly code: string;
  constructor(message: string, options: { param?: string; code?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = options.code ?? 'not_found';
  }
}

/** 409: conflicts with the current state (an idempotency key reused with another body, …). */
export class ConflictError extends TrainyardError {
  override readonly kind: ErrorKind = 'conflict';
  override readonly code: string;
  constructor(message: string, options: { param?: string; code?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = options.code ?? 'conflict';
  }
}

/** 413: the body is larger than this route accepts. */
export class PayloadTooLargeError extends TrainyardError {
  override readonly kind: ErrorKind = 'too_large';
  override readonly code = 'payload_too_large';
}

/** 408: the body did not arrive within the time the server waits for it. */
export class RequestTimeoutError extends TrainyardError {
  override readonly kind: ErrorKind = 'timeout';
  override readonly code = 'request_timeout';
}

/** 415: the body's media type is not one this route accepts. */
export class UnsupportedMediaTypeError extends TrainyardError {
  override readonly kind: ErrorKind = 'unsupported_media_type';
  override readonly code = 'unsupported_media_type';
}

/** 503: a dependency (the S3 endpoint, the queue) cannot be reached. */
export class DependencyError extends TrainyardError {
  override readonly kind: ErrorKind = 'unavailable';
  override readonly code: string;
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = options.code ?? 'dependency_unavailable';
  }
}

/**
 * 429: the caller is over one of its limits (`rate_limited`: requests per window;
 * `concurrency_limited`: requests at once). `retryAfterSeconds` becomes `Retry-After`.
 */
export class TooManyRequestsError extends TrainyardError {
  override readonly kind: ErrorKind = 'rate_limited';
  override readonly code: string;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options: { code?: string } = {},
  ) {
    super(message);
    this.code = options.code ?? 'rate_limited';
  }
}

/**
 * 503 `overloaded`: the server sheds this request because its queue is past what it can serve
 * within its latency budget; `retryAfterSeconds` (when the queue should have drained) becomes
 * `Retry-After`.
 */
export class OverloadedError extends TrainyardError {
  override readonly kind: ErrorKind = 'overloaded';
  override readonly code = 'overloaded';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A configuration value is missing or invalid; the process should stop and say which. */
export class ConfigError extends TrainyardError {
  override readonly code = 'invalid_config';
}
