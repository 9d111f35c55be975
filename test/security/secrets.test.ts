import { createHash } from 'node:crypto';
import { apiKeyIdOf, keys, prefixes } from '@trainyard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { platformHarness } from '../jobs/platform-support';
import {
  FIXTURE_COMMAND,
  irisDataset,
  type JobsApi,
  type Loose,
  startJobsApi,
} from '../jobs/support';

// Secrets are shown once: an Idempotency-Key replay answers the same record without them, the
// records kept in S3 hold none and expire after 24 h, and a revoked key stays revoked.

let api: JobsApi;
let dataset: string;
beforeAll(async () => {
  api = await startJobsApi();
  dataset = await irisDataset(api.call);
}, 60_000);
afterAll(() => api.close());

const json = (res: Response): Promise<Loose> => res.json();

/** Every object under `idempotency/`, as text. */
async function idempotencyRecords(): Promise<string> {
  let all = '';
  for await (const o of api.runtime.storage.list(prefixes.idempotency)) {
    all += Buffer.from(await api.runtime.storage.getBytes(o.key)).toString('utf8');
  }
  return all;
}

describe('Idempotency-Key replays', () => {
  it('replay a key creation as the same key with secret null and a note; the record holds no secret', async () => {
    const first = await api.post('/v1/api-keys', { name: 'ci' }, { 'Idempotency-Key': 'key-once' });
    expect(first.status).toBe(201);
    const created = await json(first);
    expect(created.secret).toMatch(/^ty_/);

    const again = await api.post('/v1/api-keys', { name: 'ci' }, { 'Idempotency-Key': 'key-once' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const replay = await json(again);
    expect(replay).toEqual({
      ...created,
      secret: null,
      secret_note: expect.stringContaining('shown once'),
    });
    // One key was made, and the secret is nowhere in what S3 keeps of the request.
    const list = await json(await api.call('/v1/api-keys'));
    expect(list.data.filter((k: Loose) => k.name === 'ci')).toHaveLength(1);
    const records = await idempotencyRecords();
    expect(records).toContain(created.id);
    expect(records).not.toContain(created.secret);
  });

  it('replay a job creation with its webhook secret null', async () => {
    const body = {
      dataset,
      model_name: 'fixture mode=succeed ms=20',
      hyperparameters: { epochs: 1 },
      // Loopback, and not allow-listed: no delivery ever leaves the machine.
      webhook: { url: 'http://127.0.0.1:9/hook', secret: 'whsec_mine_0123456789abcdef' },
    };
    const first = await json(
      await api.post('/v1/fine-tuning/jobs', body, { 'Idempotency-Key': 'job-hook' }),
    );
    expect(first.webhook.secret).toBe('whsec_mine_0123456789abcdef');
    const again = await api.post('/v1/fine-tuning/jobs', body, { 'Idempotency-Key': 'job-hook' });
    expect(again.status).toBe(201);
    const replay = await json(again);
    expect(replay.id).toBe(first.id);
    expect(replay.webhook).toEqual({
      url: body.webhook.url,
      events: first.webhook.events,
      secret: null,
      secret_note: expect.stringContaining('shown once'),
    });
    expect(await idempotencyRecords()).not.toContain('whsec_mine_0123456789abcdef');
  });

  it('forget a key after 24 h: it may then be used for another request', async () => {
    const res = await api.post('/v1/api-keys', { name: 'old' }, { 'Idempotency-Key': 'day-old' });
    expect(res.status).toBe(201);
    // The same record, as it would be 24 h and a minute later.
    const caller = apiKeyIdOf(api.secret);
    const hash = createHash('sha256').update(`default\u0000${caller}\u0000day-old`).digest('hex');
    const key = keys.idempotency('api', hash);
    const record = await api.runtime.storage.getJson(key, z.any());
    await api.runtime.storage.putJson(key, {
      ...record,
      created_at: record.created_at - 24 * 3600 - 60,
    });
    const reused = await api.post(
      '/v1/api-keys',
      { name: 'new' },
      { 'Idempotency-Key': 'day-old' },
    );
    expect(reused.status).toBe(201);
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
    expect((await json(reused)).name).toBe('new');
  });
});

describe('revoked keys', () => {
  it('a revoked TRAINYARD_API_KEY stays revoked after the platform restarts', async () => {
    const envKey = 'operator-chosen-key-0123456789';
    const harness = await platformHarness(
      { trainerCommand: FIXTURE_COMMAND },
      { TRAINYARD_API_KEY: envKey },
    );
    try {
      const platform = await harness.start();
      expect(platform.apiKey.source).toBe('env');
      const call = (key: string, path: string, init: RequestInit = {}) =>
        fetch(`${harness.platform.apiUrl}${path}`, {
          ...init,
          headers: { Authorization: `Bearer ${key}`, ...init.headers },
        });
      const other = await json(
        await call(envKey, '/v1/api-keys', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'second', role: 'admin' }),
        }),
      );
      const revoked = await call(other.secret, `/v1/api-keys/${apiKeyIdOf(envKey)}`, {
        method: 'DELETE',
      });
      expect(revoked.status).toBe(200);
      expect((await call(envKey, '/v1/api-keys')).status).toBe(401);
      await platform.close();

      const again = await harness.start();
      expect(again.apiKey.source).toBe('env_revoked');
      expect((await call(envKey, '/v1/api-keys')).status).toBe(401);
      expect((await call(other.secret, '/v1/api-keys')).status).toBe(200);
    } finally {
      await harness.dispose();
    }
  }, 120_000);
});
