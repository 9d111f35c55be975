import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedS3, embeddedS3CredentialFile, startEmbeddedS3 } from '@trainyard/local';
import { createRuntime, ensureBucket, loadConfig, type Runtime } from '@trainyard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

// Conditional PUTs (If-Match / If-None-Match), which per-project job limits rely on across API
// processes, on the embedded store as on S3: whoever read an older version loses, and of many
// writers racing on one version exactly one wins.

let root: string;
let store: EmbeddedS3;
let runtime: Runtime;
const bucket = 'ty-conditional';
const counter = z.object({ n: z.number() });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'trainyard-conditional-'));
  store = await startEmbeddedS3({
    directory: join(root, 's3'),
    credentialFile: embeddedS3CredentialFile(root),
    bucket,
    port: 0,
  });
  runtime = createRuntime(
    loadConfig({
      S3_ENDPOINT: store.endpoint,
      S3_BUCKET: bucket,
      AWS_ACCESS_KEY_ID: store.credential.accessKeyId,
      AWS_SECRET_ACCESS_KEY: store.credential.secretAccessKey,
      LOG_LEVEL: 'silent',
    }),
    'test',
  );
  await ensureBucket(runtime.s3, bucket);
});
afterAll(async () => {
  await store?.close();
  await rm(root, { recursive: true, force: true });
});

describe('conditional writes on the embedded store', () => {
  it('creates only when absent, replaces only the version read, and reports a lost race as false', async () => {
    const storage = runtime.storage;
    expect(await storage.putJsonIf('c/one.json', { n: 1 }, undefined)).toBe(true);
    expect(await storage.putJsonIf('c/one.json', { n: 99 }, undefined)).toBe(false);
    const first = await storage.tryGetJsonTagged('c/one.json', counter);
    expect(first?.value).toEqual({ n: 1 });

    expect(await storage.putJsonIf('c/one.json', { n: 2 }, first!.etag)).toBe(true);
    // The version read before is gone: a writer holding it loses and writes nothing.
    expect(await storage.putJsonIf('c/one.json', { n: 3 }, first!.etag)).toBe(false);
    expect((await storage.tryGetJsonTagged('c/one.json', counter))?.value).toEqual({ n: 2 });
    // If-Match on a key that does not exist: nothing written.
    expect(await storage.putJsonIf('c/none.json', { n: 1 }, first!.etag)).toBe(false);
    expect(await storage.tryGetJsonTagged('c/none.json', counter)).toBeUndefined();
  });

  it('lets exactly one of many writers racing on one version win', async () => {
    const storage = runtime.storage;
    await storage.putJson('c/race.json', { n: 0 });
    const read = await storage.tryGetJsonTagged('c/race.json', counter);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        storage.putJsonIf('c/race.json', { n: i + 1 }, read!.etag),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true) + 1;
    expect((await storage.tryGetJsonTagged('c/race.json', counter))?.value).toEqual({ n: winner });
  });

  it('lets exactly one of many writers creating one key win', async () => {
    const storage = runtime.storage;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        storage.putJsonIf('c/new.json', { n: i + 1 }, undefined),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true) + 1;
    expect((await storage.tryGetJsonTagged('c/new.json', counter))?.value).toEqual({ n: winner });
  });

  it('leaves plain writes, reads and deletes as they were', async () => {
    const storage = runtime.storage;
    await storage.putJson('c/plain.json', { n: 1 });
    await storage.putJson('c/plain.json', { n: 2 });
    expect(await storage.getJson('c/plain.json', counter)).toEqual({ n: 2 });
    await storage.delete('c/plain.json');
    expect(await storage.tryGetJsonTagged('c/plain.json', counter)).toBeUndefined();
  });
});
