import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  PermissionError,
  ValidationError,
} from '../errors';
import { API_KEY_ID_PATTERN, unixSeconds } from '../ids';
import { keys, prefixes, type Storage } from '../storage';

/** What a key may call: the management API, the inference endpoint, or both. */
export const apiKeyScopeSchema = z.enum(['api', 'infer']);
export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;

/** A key as stored in S3: only the SHA-256 of the secret, never the secret itself. */
export const storedApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The last four characters, so a person can tell keys apart in a list. */
  last4: z.string(),
  scopes: z.array(apiKeyScopeSchema).min(1),
  created_at: z.number().int(),
  revoked_at: z.number().int().nullable(),
});
export type StoredApiKey = z.infer<typeof storedApiKeySchema>;
export type ApiKey = Omit<StoredApiKey, 'sha256'>;

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

  /** Makes a new random key; the secret is returned once and never stored. */
  async create(
    name: string,
    scopes: ApiKeyScope[] = ['api', 'infer'],
  ): Promise<{ key: ApiKey; secret: string }> {
    const id = randomBytes(9)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^0-9a-z]/g, '0')
      .slice(0, 12);
    const secret = `ty_${id}_${randomBytes(24).toString('base64url')}`;
    const key = await this.register(secret, name, scopes);
    return { key, secret };
  }

  /**
   * Stores the hash of a given secret (idempotent: an existing, unrevoked key is kept). A revoked
   * key stays revoked (`RevokedApiKeyError`), and a secret whose id belongs to another key is
   * refused (`ConflictError`): registering never brings a key back or replaces one.
   */
  async register(
    secret: string,
    name: string,
    scopes: ApiKeyScope[] = ['api', 'infer'],
  ): Promise<ApiKey> {
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
      return publicView(existing);
    }
    const record: StoredApiKey = {
      id,
      name,
      sha256: sha256(secret).toString('hex'),
      last4: secret.slice(-4),
      scopes,
      created_at: unixSeconds(),
      revoked_at: null,
    };
    await this.storage.putJson(keys.apiKey(id), record);
    this.cache.delete(id);
    return publicView(record);
  }

  async list(): Promise<ApiKey[]> {
    const out: ApiKey[] = [];
    for await (const object of this.storage.list(prefixes.apiKeys)) {
      const record = await this.storage.tryGetJson(object.key, storedApiKeySchema);
      if (record) out.push(publicView(record));
    }
    return out.sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<ApiKey> {
    return publicView(await this.stored(id));
  }

  async revoke(id: string): Promise<ApiKey> {
    const record = await this.stored(id);
    const revoked = { ...record, revoked_at: record.revoked_at ?? unixSeconds() };
    await this.storage.putJson(keys.apiKey(id), revoked);
    this.cache.delete(id);
    return publicView(revoked);
  }

  /**
   * The key a bearer token belongs to, if it exists, is not revoked and has `scope`.
   * Hashes are compared in constant time.
   */
  async verify(token: string, scope: ApiKeyScope): Promise<ApiKey> {
    const record = await this.lookup(apiKeyIdOf(token));
    if (!record || !this.matches(record, token) || record.revoked_at !== null) {
      throw new AuthenticationError(
        'Invalid API key: expected a key created by `npm run keys -- create` or printed by `npm start`',
      );
    }
    if (!record.scopes.includes(scope)) {
      throw new PermissionError(
        `This API key may not call the ${scope} endpoints; it has scopes ${record.scopes.join(', ')}`,
      );
    }
    return publicView(record);
  }

  /** The stored record of a key id; a malformed id is as absent as an unknown one. */
  private async stored(id: string): Promise<StoredApiKey> {
    const record = API_KEY_ID_PATTERN.test(id)
      ? await this.storage.tryGetJson(keys.apiKey(id), storedApiKeySchema)
      : undefined;
    if (!record)
      throw new NotFoundError(`No API key with id ${JSON.stringify(id.slice(0, 80))}`, {
        param: 'id',
      });
    return record;
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
    const read = this.storage
      .tryGetJson(keys.apiKey(id), storedApiKeySchema)
      .then((record) => {
        this.cache.set(id, { record, at });
        if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
        return record;
      })
      .finally(() => this.reading.delete(id));
    this.reading.set(id, read);
    return read;
  }
}
