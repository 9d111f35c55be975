import type { ApiKey, Logger } from '@trainyard/shared';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the `requestId` middleware; echoed in `X-Request-Id` and every log line. */
    requestId: string;
    /** A logger bound to this request's id. */
    log: Logger;
    /** The API key that authenticated this request (routes under `/v1`). */
    apiKey: ApiKey;
  }
}
