import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NotFoundError } from '../errors';
import type { Storage } from './storage';

// Runs against the real S3 endpoint of the test run (embedded, or S3_ENDPOINT): never a mock.
let storage: Storage;
let dispose: () => Promise<void>;
beforeAll(async () => {
  const runtime = await isolatedRuntime('ty-storage');
  storage = runtime.storage;
  dispose = runtime.dispose;
});
afterAll(() => dispose());

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('Storage against a real S3 endpoint', () => {
  it('round-trips JSON through a zod schema and rejects what does not match', async () => {
    const schema = z.object({ name: z.string(), n: z.number() });
    await storage.putJson('t/json/a.json', { name: 'iris', n: 150 });
    expect(await storage.getJson('t/json/a.json', schema)).toEqual({ name: 'iris', n: 150 });
    await expect(storage.getJson('t/json/a.json', z.object({ n: z.string() }))).rejects.toThrow(
      /does not match/,
    );
    await expect(storage.getJson('t/json/missing.json', schema)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await storage.tryGetJson('t/json/missing.json', schema)).toBeUndefined();
  });

  it('lists in pages, in key order, and deletes a whole prefix', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `t/list/${String(i).padStart(3, '0')}`);
    await Promise.all(names.map((k) => storage.putBytes(k, k)));
    await storage.putBytes('t/listing-neighbour', 'x');

    const first = await storage.listPage('t/list/', { limit: 10 });
    expect(first.objects.map((o) => o.key)).toEqual(names.slice(0, 10));
    expect(first.nextToken).toBeDefined();
    const second = await storage.listPage('t/list/', { limit: 10, token: first.nextToken! });
    expect(second.objects.map((o) => o.key)).toEqual(names.slice(10, 20));

    const all: string[] = [];
    for await (const o of storage.list('t/list/')) all.push(o.key);
    expect(all).toEqual(names);
    const after: string[] = [];
    for await (const o of storage.list('t/list/', { startAfter: names[20] })) after.push(o.key);
    expect(after).toEqual(names.slice(21));

    expect(await storage.deletePrefix('t/list/')).toBe(23);
    expect((await storage.listPage('t/list/')).objects).toEqual([]);
    expect(await storage.exists('t/listing-neighbour')).toBe(true);
  });

  it('streams a 12 MiB body up as a multipart upload and back down unchanged', async () => {
    const body = randomBytes(12 * 1024 * 1024);
    let progress = 0;
    await storage.upload('t/big.bin', Readable.from([body.subarray(0, 7e6), body.subarray(7e6)]), {
      partSize: 5 * 1024 * 1024,
      onProgress: (loaded) => {
        progress = loaded;
      },
    });
    expect(progress).toBe(body.length);
    expect((await storage.head('t/big.bin'))?.size).toBe(body.length);
    const chunks: Buffer[] = [];
    for await (const chunk of await storage.getStream('t/big.bin')) chunks.push(chunk as Buffer);
    expect(sha(Buffer.concat(chunks))).toBe(sha(body));

    const range = await storage.getStream('t/big.bin', { start: 100, end: 199 });
    const part: Buffer[] = [];
    for await (const chunk of range) part.push(chunk as Buffer);
    expect(Buffer.concat(part)).toEqual(body.subarray(100, 200));
  });

  it('lets a client without credentials PUT and GET through presigned URLs', async () => {
    const put = await storage.presignPut('t/presigned.txt', { contentType: 'text/plain' });
    const res = await fetch(put, {
      method: 'PUT',
      body: 'hello from a browser',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(200);
    expect(Buffer.from(await storage.getBytes('t/presigned.txt')).toString()).toBe(
      'hello from a browser',
    );

    const get = await storage.presignGet('t/presigned.txt');
    expect(await (await fetch(get)).text()).toBe('hello from a browser');
  });

  it('assembles a client-driven multipart upload from presigned part URLs', async () => {
    const body = randomBytes(11 * 1024 * 1024);
    const partSize = 5 * 1024 * 1024;
    const uploadId = await storage.createMultipartUpload('t/multipart.bin', 'application/zip');
    const parts = [];
    for (let start = 0, n = 1; start < body.length; start += partSize, n++) {
      const url = await storage.presignUploadPart('t/multipart.bin', uploadId, n);
      const res = await fetch(url, { method: 'PUT', body: body.subarray(start, start + partSize) });
      expect(res.status).toBe(200);
      parts.push({ partNumber: n, etag: res.headers.get('etag')! });
    }
    expect(parts).toHaveLength(3);
    await storage.completeMultipartUpload('t/multipart.bin', uploadId, parts.reverse());
    expect(sha(await storage.getBytes('t/multipart.bin'))).toBe(sha(body));
  });

  it('copies server-side only while the source still has the ETag it was looked at with', async () => {
    await storage.putBytes('t/copy/src', 'first');
    const { etag } = (await storage.head('t/copy/src'))!;
    await storage.copy('t/copy/src', 't/copy/dst', { ifMatch: etag! });
    expect(Buffer.from(await storage.getBytes('t/copy/dst')).toString()).toBe('first');
    await storage.putBytes('t/copy/src', 'second, replaced in between');
    await expect(
      storage.copy('t/copy/src', 't/copy/dst', { ifMatch: etag! }),
    ).rejects.toMatchObject({ code: 'source_changed', kind: 'conflict' });
  });
});
