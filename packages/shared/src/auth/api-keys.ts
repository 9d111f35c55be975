import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AuthenticationError, ConflictError, NotFoundError, ValidationError } from '../errors';
import { API_KEY_ID_PATTERN, unixSeconds } from '../ids';
import { keys, prefixes, type Storage } from '../storage';
import { DEFAULT_PROJECT } from './projects';
import { type ApiKeyRole, apiKeyRoleSchema } from './roles';

/**
 * The scopes keys had before projects and roles (`api`: the management API, `infer`: predict).
 * Only read, to migrate such records: `api` (which could mint keys) becomes `admin`, `infer`
 * alone becomes `inference`.
 */
const legacyScopeSchema = z.enum(['api', 'infer']);

/** A key as stored in S3: only the SHA-256 of the secret, never the secret itself. */
const currentRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The last four characters, so a person can tell keys apart in a list. */
  last4: z.string(),
  /** The project the key belongs to: it sees and touches that project's objects only. */
  project: z.string(),
  role: apiKeyRoleSchema,
  /**
   * The install's own key (the one `npm start` prints or `TRAINYARD_API_KEY`): it may also create
   * and list projects. Default false.
   */
  operator: z.boolean().default(false),
  created_at: z.number().int(),
  revoked_at: z.number().int().nullable(),
});

/** Whether a stored record predates projects (no `project`/`role`, `scopes` instead). */
function isLegacy(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !('role' in raw);
}

/**
 * A key record as read: a record written before projects (no `project`, no `role`, `scopes`) is
 * read as a key of the default project, `admin` when it had the `api` scope (it could mint keys)
 * and `inference` when it had only `infer`. `ApiKeyStore.migrate` rewrites such records at start.
 */
export const storedApiKeySchema = z.preprocess((raw) => {
  if (!isLegacy(raw)) return raw;
  const scopes = z.array(legacyScopeSchema).safeParse(raw.scopes);
  const { scopes: _scopes, ...rest } = raw;
  return {
    ...rest,
    project: raw.project ?? DEFAULT_PROJECT,
    role: scopes.success && !scopes.data.includes('api') ? 'inference' : 'admin',
  };
}, currentRecordSchema);
export type StoredApiKey = z.infer<typeof currentRecordSchema>;
export type ApiKey = Omit<StoredApiKey, 'sha256'>;

/** Who a new key is for. Defaults: the default project, `admin`, not the operator's. */
export interface NewApiKeyOptions {
  readonly project?: string;
  readonly role?: ApiKeyRole;
  readonly operator?: boolean;
}

const GENERATED = /^ty_([0-9a-z]{12})_[A-Za-z0-9_-]{32,}$/;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The id under which a secret is stored. Generated keys carry their id (`ty_<id>_<secret>`);
 * a key brought by the operator (`TRAINYARD_API_KEY`) gets one derived from its hash.
 */
export function apiKeyIdOf(secret: string): string {
  const match = GENERATED.exec(secret);
  return match ? match[1]! : `h${sha256(secret).toString('hex').slice(0, 11)}`;
}

function publicView({ sha256: _hash, ...rest }: StoredApiKey): ApiKey {
  return rest;
}

/** 409: a key brought again (`TRAINYARD_API_KEY`) was revoked; revoked keys stay revoked. */
export class RevokedApiKeyError extends ConflictError {
  constructor(readonly keyId: string) {
    super(
      `API key ${keyId} was revoked, and a revoked key stays revoked: use a new secret (or unset TRAINYARD_API_KEY to have one generated)`,
      { param: 'key', code: 'api_key_revoked' },
    );
  }
}

/** Creates, lists, revokes and verifies API keys kept as hashes in S3. */
export class ApiKeyStore {
  private readonly cache = new Map<string, { record: StoredApiKey | undefined; at: number }>();
  /** Bumped by each write of a key: a read started before it is not cached. */
  private readonly generations = new Map<string, number>();
  /** Lookups under way, by key id: concurrent verifications of one key share one S3 read. */
  private readonly reading = new Map<string, Promise<StoredApiKey | undefined>>();

  /**
   * @param cacheMs how long a looked-up key (or its absence) is trusted before S3 is read again
   *   (default 5 s, `API_KEY_CACHE_MS`): a key revoked by another process stops working within it.
   */
  constructor(
    private readonly storage: Storage,
    private readonly cacheMs = 5000,
  ) {}

  /**
   * Makes a new random key (`options`: its project, role, operator flag; defaults: the default
   * project, `admin`, false); the secret is returned once and never stored. The caller checks
   * that the project exists.
   */
  async create(
    name: string,
    options: NewApiKeyOptions = {},
  ): Promise<{ key: ApiKey; secret: string }> {
    const id = randomBytes(9)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^0-9a-z]/g, '0')
      .slice(0, 12);
    const secret = `ty_${id}_${randomBytes(24).toString('base64url')}`;
    const key = await this.register(secret, name, options);
    return { key, secret };
  }

  /**
   * Stores the hash of a given secret (idempotent: an existing, unrevoked key is kept). A revoked
   * key stays revoked (`RevokedApiKeyError`), and a secret whose id belongs to another key is
   * refused (`ConflictError`): registering never brings a key back or replaces one.
   */
  async register(secret: string, name: string, options: NewApiKeyOptions = {}): Promise<ApiKey> {
    if (secret.length < 16) {
      throw new ValidationError(
        `API key too short: expected at least 16 characters, received ${secret.length}`,
        {
          param: 'key',
        },
      );
    }
    const id = apiKeyIdOf(secret);
    const existing = await this.storage.tryGetJson(keys.apiKey(id), storedApiKeySchema);
    if (existing) {
      if (!this.matches(existing, secret)) {
        throw new ConflictError(`API key id ${id} is taken by another key; choose another secret`, {
          param: 'key',
          code: 'api_key_id_taken',
        });
      }
      if (existing.revoked_at !== null) throw new RevokedApiKeyError(existing.id);
      if (options.operator && !existing.operator) {
        const promoted = { ...existing, operator: true };
        await this.storage.putJson(keys.apiKey(id), promoted);
        this.forget(id);
        return publicView(promoted);
      }
      return publicView(existing);
    }
    const record: StoredApiKey = {
      id,
      name,
      sha256: sha256(secret).toString('hex'),
      last4: secret.slice(-4),
      project: options.project ?? DEFAULT_PROJECT,
      role: options.role ?? 'admin',
      operator: options.operator ?? false,
      created_at: unixSeconds(),
      revoked_at: null,
    };
    await this.storage.putJson(keys.apiKey(id), record);
    this.forget(id);
    return publicView(record);
  }

  /** The keys of `project` (every project's when undefined), oldest first. */
  async list(project?: string): Promise<ApiKey[]> {
    const out: ApiKey[] = [];
    for await (const object of this.storage.list(prefixes.apiKeys)) {
      const record = await this.storage.tryGetJson(object.key, storedApiKeySchema);
      if (record && (project === undefined || record.project === project))
        out.push(publicView(record));
    }
    return out.sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
  }

  /** A key of `project` (of any project when undefined); another project's is a 404. */
  async get(id: string, project?: string): Promise<ApiKey> {
    return publicView(await this.stored(id, project));
  }

  /** Revokes a key of `project` (of any when undefined); another project's is a 404. */
  async revoke(id: string, project?: string): Promise<ApiKey> {
    const record = await this.stored(id, project);
    const revoked = { ...record, revoked_at: record.revoked_at ?? unixSeconds() };
    await this.storage.putJson(keys.apiKey(id), revoked);
    this.forget(id);
    return publicView(revoked);
  }

  /**
   * Rewrites key records written before projects (see `storedApiKeySchema`) in the current form:
   * the default project, `admin` (or `inference` for an infer-only key). Run once at start;
   * returns the ids rewritten.
   */
  async migrate(): Promise<string[]> {
    const migrated: string[] = [];
    for await (const object of this.storage.list(prefixes.apiKeys)) {
      const bytes = await this.storage.tryGetBytes(object.key);
      if (!bytes) continue;
      let raw: unknown;
      try {
        raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
      } catch {
        continue;
      }
      if (!isLegacy(raw)) continue;
      const record = storedApiKeySchema.safeParse(raw);
      if (!record.success || object.key !== keys.apiKey(record.data.id)) continue;
      await this.storage.putJson(object.key, record.data);
      this.forget(record.data.id);
      migrated.push(record.data.id);
    }
    return migrated;
  }

  /**
   * The key a bearer token belongs to, if it exists and is not revoked (401 otherwise). What
   * the key may do is its role's (`assertRole`). Hashes are compared in constant time.
   */
  async verify(token: string): Promise<ApiKey> {
    const record = await this.lookup(apiKeyIdOf(token));
    if (!record || !this.matches(record, token) || record.revoked_at !== null) {
      throw new AuthenticationError(
        'Invalid API key: expected a key created by `npm run keys -- create` or printed by `npm start`',
      );
    }
    return publicView(record);
  }

  /** The stored record of a key id; a malformed id, or another project's key, is a 404. */
  private async stored(id: string, project?: string): Promise<StoredApiKey> {
    const found = API_KEY_ID_PATTERN.test(id)
      ? await this.storage.tryGetJson(keys.apiKey(id), storedApiKeySchema)
      : undefined;
    // Another project's key is as absent as an unknown one: ids cannot be probed.
    const record =
      found && (project === undefined || found.project === project) ? found : undefined;
    if (!record)
      throw new NotFoundError(`No API key with id ${JSON.stringify(id.slice(0, 80))}`, {
        param: 'id',
      });
    return record;
  }

  /**
   * Drops what this store knows of key `id` after writing it: the cached record, and any read in
   * flight (its answer may predate the write, so it is neither shared nor cached).
   */
  private forget(id: string): void {
    this.cache.delete(id);
    this.reading.delete(id);
    this.generations.set(id, (this.generations.get(id) ?? 0) + 1);
  }

  private matches(record: StoredApiKey, secret: string): boolean {
    return timingSafeEqual(Buffer.from(record.sha256, 'hex'), sha256(secret));
  }

  /**
   * The stored key, from the cache while it is younger than `cacheMs`; concurrent misses of one id
   * share one read (single flight), so a burst of requests with one key reads S3 once. The entry
   * is dated from when its read started, so no answer is trusted longer than `cacheMs` after S3
   * gave it.
   */
  private async lookup(id: string): Promise<StoredApiKey | undefined> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < this.cacheMs) return hit.record;
    const pending = this.reading.get(id);
    if (pending) return pending;
    const at = Date.now();
    const generation = this.generations.get(id);
    const read = this.storage
      .tryGetJson(keys.apiKey(id), storedApiKeySchema)
      .then((record) => {
        // A write through this store (a revoke) during the read: its answer may predate it.
        if (this.generations.get(id) !== generation) return record;
        this.cache.set(id, { record, at });
        if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
        return record;
      })
      .finally(() => {
        if (this.reading.get(id) === read) this.reading.delete(id);
      });
    this.reading.set(id, read);
    return read;
  }
}
