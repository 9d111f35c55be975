import { type ApiKeyScope, type ApiKeyStore, AuthenticationError } from '@trainyard/shared';
import type { MiddlewareHandler } from 'hono';

export interface ApiKeyAuthOptions {
  readonly store: ApiKeyStore;
  /** The scope a key needs for the routes behind this middleware. */
  readonly scope: ApiKeyScope;
}

/** `Authorization: Bearer <api key>`; a missing, unknown or revoked key is a 401. */
export function apiKeyAuth({ store, scope }: ApiKeyAuthOptions): MiddlewareHandler {
  return async function apiKeyAuth(c, next) {
    const header = c.req.header('Authorization');
    if (!header) {
      throw new AuthenticationError(
        'Missing API key: expected an `Authorization: Bearer <api key>` header',
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw new AuthenticationError('Malformed Authorization header: expected `Bearer <api key>`');
    }
    c.set('apiKey', await store.verify(match[1]!, scope));
    await next();
  };
}
