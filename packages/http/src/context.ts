import type { ApiKey } from '@trainyard/shared';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the `requestId` middleware; echoed in `X-Request-Id` and every log line. */
    requestId: string;
    /**
     * The request's body, read whole and bounded by `bodyBounds` (absent for a route that streams
     * its body, and where there is none); `c.req` reads the same bytes, except in an app whose
     * `bodyBounds` is `bytesOnly` (the inference function), where this is the only way to them.
     */
    body: Uint8Array;
    /** The API key that authenticated this request (routes under `/v1`). */
    apiKey: ApiKey;
  }
}
