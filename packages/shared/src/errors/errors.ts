/**
 * The one error hierarchy of Trainyard. Every error a user can cause or observe is a
 * `TrainyardError` with a stable `code`, the HTTP `status` it maps to, and, where one field is at
 * fault, the `param` path of that field. The Hono apps render these in one `onError`.
 */
export class TrainyardError extends Error {
  readonly status: number = 500;
  readonly code: string = 'internal_error';
  readonly param: string | undefined;

  constructor(message: string, options: { param?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.param = options.param;
  }
}

/** 400: the request is malformed or a field has the wrong type or value. */
export class ValidationError extends TrainyardError {
  override readonly status: number = 400;
  override readonly code: string;
  constructor(message: string, options: { param?: string; code?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = options.code ?? 'invalid_request';
  }
}

/** 422: the request is well-formed but cannot be carried out on the current state. */
export class UnprocessableError extends TrainyardError {
  override readonly status = 422;
  override readonly code: string;
  constructor(message: string, options: { param?: string; code?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = options.code ?? 'unprocessable';
  }
}

/** 401: no API key, or one that is unknown or revoked. */
export class AuthenticationError extends TrainyardError {
  override readonly status = 401;
  override readonly code = 'unauthenticated';
}

/** 403: a valid key that may not do this. */
export class PermissionError extends TrainyardError {
  override readonly status = 403;
  override readonly code = 'forbidden';
}

/** 404: the addressed resource does not exist. */
export class NotFoundError extends TrainyardError {
  override readonly status = 404;
  override readonly code: string;
  constructor(message: string, options: { param?: string; code?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = options.code ?? 'not_found';
  }
}

/** 409: conflicts with the current state (an idempotency key reused with another body, …). */
export class ConflictError extends TrainyardError {
  override readonly status = 409;
  override readonly code: string;
  constructor(message: string, options: { param?: string; code?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = options.code ?? 'conflict';
  }
}

/** 413: the body is larger than this route accepts. */
export class PayloadTooLargeError extends TrainyardError {
  override readonly status = 413;
  override readonly code = 'payload_too_large';
}

/** 415: the body's media type is not one this route accepts. */
export class UnsupportedMediaTypeError extends TrainyardError {
  override readonly status = 415;
  override readonly code = 'unsupported_media_type';
}

/** 503: a dependency (the S3 endpoint, the queue) cannot be reached. */
export class DependencyError extends TrainyardError {
  override readonly status = 503;
  override readonly code: string;
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = options.code ?? 'dependency_unavailable';
  }
}

/** A configuration value is missing or invalid; the process should stop and say which. */
export class ConfigError extends TrainyardError {
  override readonly code = 'invalid_config';
}
