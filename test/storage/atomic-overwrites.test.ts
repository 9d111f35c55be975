import { createHash } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A PUT replaces an object whole, as on S3: whoever reads it while it is being overwritten, or
// right after, gets the old version or the new one, complete, with its own ETag. (The embedded
// store once overwrote files in place and answered before they were flushed: a record read then
// came back empty or cut, and the API answered 500 to a poll of a dataset being validated.)

let runtime: Awaited<ReturnType<typeof isolatedRuntime>>;
beforeAll(async () => {
  runtime = await isolatedRuntime('ty-atomic');
});
afterAll(() => runtime.dispose());

/** Version `v` of the object: 256 KiB and more, so that writing it takes a while. */
const version = (v: number) => JSON.stringify({ v, pad: String(v % 10).repeat(262_144 + v) });
const md5 = (text: string) => `"${createHash('md5').update(text).digest('hex')}"`;

describe('overwriting an object while it is read', () => {
  it('every read gets one whole version, with that version’s ETag', async () => {
    const key = 'atomic/record.json';
    const versions = 12;
    await runtime.storage.putBytes(key, version(0));
    let writing = true;
    const reads: Array<{ body: string; etag: string | undefined }> = [];
    const reader = async () => {
      while (writing) {
        const object = await runtime.s3.send(
          new GetObjectCommand({ Bucket: runtime.config.s3.bucket, Key: key }),
        );
        reads.push({ body: await object.Body!.transformToString(), etag: object.ETag });
      }
    };
    const writer = async () => {
      for (let v = 1; v <= versions; v++) await runtime.storage.putBytes(key, version(v));
      writing = false;
    };
    await Promise.all([writer(), reader(), reader(), reader()]);

    expect(reads.length).toBeGreaterThan(versions);
    const seen = new Set<number>();
    for (const { body, etag } of reads) {
      // Parses, is exactly the version it says it is, and comes with that version's ETag.
      const v = (JSON.parse(body) as { v: number }).v;
      expect(body).toBe(version(v));
      expect(etag).toBe(md5(body));
      seen.add(v);
    }
    // Reads happened all along the overwrites, not only before or after them.
    expect(seen.size).toBeGreaterThan(2);
    const last = await runtime.storage.head(key);
    expect(last?.etag).toBe(md5(version(versions)));
    expect(Buffer.from(await runtime.storage.getBytes(key)).toString()).toBe(version(versions));
  });
});

describe('writing and deleting objects of one folder at once', () => {
  it('succeeds at both: a delete that empties the folder does not fail a write into it', async () => {
    for (let round = 0; round < 40; round++) {
      const folder = `folder-${round % 4}/`;
      await runtime.storage.putBytes(`${folder}old`, 'x');
      await Promise.all([
        runtime.storage.delete(`${folder}old`),
        runtime.storage.putBytes(`${folder}new-${round}`, 'y'),
        runtime.storage.delete(`${folder}new-${round - 4}`),
      ]);
      expect(Buffer.from(await runtime.storage.getBytes(`${folder}new-${round}`)).toString()).toBe(
        'y',
      );
      expect(await runtime.storage.exists(`${folder}old`)).toBe(false);
    }
  });
});
