import {
  type ApiKeyRole,
  type ApiKeyStore,
  AuthenticationError,
  assertRole,
  RoleRequiredError,
} from '@trainyard/shared';
import type { Context, MiddlewareHandler } from 'hono';

/**
 * What a request needs beyond a valid key: a role (`inference` < `member` < `admin`, each
 * including the ones below), `operator` (the install's own key), or `any` (every valid key).
 */
export type Access = ApiKeyRole | 'operator' | 'any';

export interface ApiKeyAuthOptions {
  readonly store: ApiKeyStore;
  /**
   * The access each request needs, decided in one place per app from the method and path.
   * Default: `member` for every route.
   */
  readonly access?: (method: string, path: string) => Access;
}

/**
 * `Authorization: Bearer <api key>`: a missing, unknown or revoked key is a 401; a key whose
 * role does not reach what `access` says the route needs is a 403 naming both roles. Sets
 * `apiKey` (with its `project`) on the context.
 */
export function apiKeyAuth({
  store,
  access = () => 'member',
}: ApiKeyAuthOptions): MiddlewareHandler {
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
    const key = await store.verify(match[1]!);
    const needed = access(c.req.method, c.req.path);
    const what = `${c.req.method} ${c.req.path}`;
    if (needed === 'operator') {
      if (!key.operator) throw new RoleRequiredError('operator', key.role, what);
    } else if (needed !== 'any') {
      assertRole(key.role, needed, what);
    }
    c.set('apiKey', key);
    await next();
  };
}

/** The project of the key that authenticated this request: every store read is scoped by it. */
export function projectOfRequest(c: Context): string {
  return c.get('apiKey').project;
}
