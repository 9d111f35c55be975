import { z } from 'zod';
import { PermissionError } from '../errors';

/**
 * What a key may do inside its project, each role including the ones below it:
 * `inference` predicts; `member` also works with datasets, jobs, models and base models;
 * `admin` also manages the project's keys.
 */
export const apiKeyRoleSchema = z.enum(['admin', 'member', 'inference']);
export type ApiKeyRole = z.infer<typeof apiKeyRoleSchema>;

const RANK: Record<ApiKeyRole, number> = { inference: 0, member: 1, admin: 2 };

/** Whether a key holding `held` may do what needs `needed` (admin ⊇ member ⊇ inference). */
export function roleAllows(held: ApiKeyRole, needed: ApiKeyRole): boolean {
  return RANK[held] >= RANK[needed];
}

/**
 * Throws a `PermissionError` (403) naming the role needed and the role held, unless `held`
 * includes `needed`.
 */
export function assertRole(held: ApiKeyRole, needed: ApiKeyRole, what: string): void {
  if (roleAllows(held, needed)) return;
  throw new RoleRequiredError(needed, held, what);
}

/** 403 `role_required`: a valid key whose role does not include the one a route needs. */
export class RoleRequiredError extends PermissionError {
  override readonly code = 'role_required';
  constructor(
    readonly needed: ApiKeyRole | 'operator',
    readonly held: ApiKeyRole,
    what: string,
  ) {
    super(
      needed === 'operator'
        ? `${what} needs the operator's key (the local install's first admin key, or TRAINYARD_API_KEY); this key is a ${held} key of its project`
        : `${what} needs an API key with the ${needed} role${needed === 'admin' ? '' : ' or higher'}; this key has the ${held} role`,
    );
  }
}
