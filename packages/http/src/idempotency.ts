import { createHash } from 'node:crypto';
import { ConflictError, keys, type Storage, unixSeconds, ValidationError } from '@trainyard/shared';
import type { MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';

const recordSchema = z.object({
  request_sha256: z.string(),
  status: z.number().int(),
  body: z.unknown(),
  created_at: z.number().int(),
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface IdempotencyOptions {
  readonly storage: Storage;
  /** Separates the key spaces of different apps. */
  readonly scope: string;
  /**
   * POST paths that change nothing (a plan): answered afresh every time, their key neither
   * checked nor stored, so that calling them leaves nothing in the bucket.
   */
  readonly pure?: readonly string[];
}

/**
 * `Idempotency-Key` on POST, as Stripe does it: the same key and body replays the first
 * successful answer (with `Idempotent-Replayed: true`); the same key with another body is a 409
 * and runs nothing. Keys are per API key. Requests with one key are serialized in this process.
 */
export function idempotency({ storage, scope, pure = [] }: IdempotencyOptions): MiddlewareHandler {
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
    const owner = c.get('apiKey')?.id ?? 'anonymous';
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
      const previous = await storage.tryGetJson(objectKey, recordSchema);
      if (previous) {
        if (previous.request_sha256 !== requestHash) {
          throw new ConflictError(
            `Idempotency-Key ${JSON.stringify(key)} was already used with a different request; use a new key for a new request`,
            { code: 'idempotency_key_reused', param: 'Idempotency-Key' },
          );
        }
        c.header('Idempotent-Replayed', 'true');
        return c.json(previous.body as object, previous.status as ContentfulStatusCode);
      }
      await next();
      if (
        c.res.status >= 200 &&
        c.res.status < 300 &&
        c.res.headers.get('content-type')?.includes('json')
      ) {
        const body = await c.res.clone().json();
        await storage.putJson(objectKey, {
          request_sha256: requestHash,
          status: c.res.status,
          body,
          created_at: unixSeconds(),
        });
      }
    } finally {
      inFlight.delete(objectKey);
      release();
    }
  };
}
