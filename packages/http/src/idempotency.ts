import { createHash } from 'node:crypto';
import { ConflictError, keys, type Storage, unixSeconds, ValidationError } from '@trainyard/shared';
import type { MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';

const recordSchema = z.object({
  /** The project of the key that made the request (absent in records from before projects). */
  project: z.string().optional(),
  request_sha256: z.string(),
  status: z.number().int(),
  body: z.unknown(),
  created_at: z.number().int(),
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** How long a key is remembered: 24 h, as Stripe keeps them. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** What a replay says in place of a secret that was shown once. */
export const SECRET_NOT_REPLAYED =
  'Secrets are shown once, in the first answer; this is a replay of an Idempotency-Key request, so secret is null';

export interface IdempotencyOptions {
  readonly storage: Storage;
  /** Separates the key spaces of different apps. */
  readonly scope: string;
  /**
   * POST paths that change nothing (a plan): answered afresh every time, their key neither
   * checked nor stored, so that calling them leaves nothing in the bucket.
   */
  readonly pure?: readonly string[];
  /** How long a record answers replays. Default `IDEMPOTENCY_TTL_SECONDS` (24 h). */
  readonly ttlSeconds?: number;
}

/**
 * The answer as it may be kept and replayed: every `secret` (an API key's, a webhook's) becomes
 * `null` beside a `secret_note` saying why, as Stripe replays key creations.
 */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    if (name === 'secret' && typeof field === 'string') {
      out.secret = null;
      out.secret_note = SECRET_NOT_REPLAYED;
    } else {
      out[name] = withoutSecrets(field);
    }
  }
  return out;
}

/**
 * `Idempotency-Key` on POST, as Stripe does it: the same key and body within 24 h replays the
 * first successful answer (with `Idempotent-Replayed: true`) without its secrets; the same key
 * with another body is a 409 and runs nothing. Keys are per API key. Records keep the SHA-256 of
 * the request and the answer with every secret removed. Requests with one key are serialized in
 * this process.
 */
export function idempotency({
  storage,
  scope,
  pure = [],
  ttlSeconds = IDEMPOTENCY_TTL_SECONDS,
}: IdempotencyOptions): MiddlewareHandler {
  const inFlight = new Map<string, Promise<void>>();
  return async function idempotency(c, next) {
    const key = c.req.header('Idempotency-Key');
    if (c.req.method !== 'POST' || key === undefined || pure.includes(c.req.path)) return next();
    if (!key || key.length > 255) {
      throw new ValidationError(
        `Idempotency-Key must be 1 to 255 characters; received ${key ? `${key.length} characters` : 'an empty header'}`,
        { code: 'invalid_idempotency_key', param: 'Idempotency-Key' },
      );
    }
    const apiKey = c.get('apiKey');
    // Per key and per project: one project's Idempotency-Key never answers another's request.
    const owner = apiKey ? `${apiKey.project}\u0000${apiKey.id}` : 'anonymous';
    const objectKey = keys.idempotency(scope, sha256(`${owner}\u0000${key}`));
    const requestHash = sha256(`${c.req.method} ${c.req.path}\u0000${await c.req.text()}`);

    while (inFlight.has(objectKey)) await inFlight.get(objectKey);
    let release!: () => void;
    inFlight.set(
      objectKey,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    try {
      const stored = await storage.tryGetJson(objectKey, recordSchema);
      const previous =
        stored && unixSeconds() - stored.created_at < ttlSeconds ? stored : undefined;
      if (previous) {
        if (previous.request_sha256 !== requestHash) {
          throw new ConflictError(
            `Idempotency-Key ${JSON.stringify(key)} was already used with a different request; use a new key for a new request`,
            { code: 'idempotency_key_reused', param: 'Idempotency-Key' },
          );
        }
        c.header('Idempotent-Replayed', 'true');
        return c.json(
          withoutSecrets(previous.body) as object,
          previous.status as ContentfulStatusCode,
        );
      }
      await next();
      if (
        c.res.status >= 200 &&
        c.res.status < 300 &&
        c.res.headers.get('content-type')?.includes('json')
      ) {
        const body = await c.res.clone().json();
        await storage.putJson(objectKey, {
          ...(apiKey ? { project: apiKey.project } : {}),
          request_sha256: requestHash,
          status: c.res.status,
          body: withoutSecrets(body),
          created_at: unixSeconds(),
        });
      }
    } finally {
      inFlight.delete(objectKey);
      release();
    }
  };
}
