import { type Core, unwrap } from '../core';
import { PageIterator } from '../pagination';
import type { ApiKey, CreateApiKey, CreatedApiKey } from '../types';

/** `/v1/api-keys`: keys are kept as hashes; a secret is shown once, on creation. */
export class Keys {
  constructor(private readonly core: Core) {}

  /** Every key of the caller's project (one page: the server lists them all). Needs an admin key. */
  list(): PageIterator<ApiKey> {
    return new PageIterator(() => unwrap(this.core.api.GET('/v1/api-keys')));
  }

  /**
   * A new key of the caller's project; `role` defaults to `member` (`admin`, `member`,
   * `inference`). Its `secret` is in this answer only. Needs an admin key (else `PermissionError`).
   */
  create(
    body: Omit<CreateApiKey, 'role'> & { role?: CreateApiKey['role'] },
  ): Promise<CreatedApiKey> {
    return unwrap(this.core.api.POST('/v1/api-keys', { body: body as CreateApiKey }));
  }

  /** Revokes a key (it stops working at once). Throws `NotFoundError`. */
  revoke(id: string): Promise<ApiKey> {
    return unwrap(this.core.api.DELETE('/v1/api-keys/{id}', { params: { path: { id } } }));
  }
}
