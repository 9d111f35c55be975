import { deflateSync } from 'node:zlib';
import { DatasetService } from '@trainyard/datasets';
import { keys } from '@trainyard/shared';
import { isolatedRuntime, makeZip } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingStorage } from '../support/counting-storage';

// Validation cost linear in the file: a zip of many tiny entries is read from S3 about once (its
// central directory once, the entries front to back), not a read-ahead block per entry.

const ENTRIES = 10_000;

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
/** A real 1×1 RGB PNG of one colour (~70 bytes): distinct images, no duplicate warnings. */
function pixelPng(r: number, g: number, b: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, r, g, b]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The same zip with its central directory listing the entries in reverse (not file) order. */
function reverseDirectory(zip: Buffer): Buffer {
  const end = zip.subarray(zip.length - 22);
  const size = end.readUInt32LE(12);
  const offset = end.readUInt32LE(16);
  const records: Buffer[] = [];
  for (let p = offset; p < offset + size; ) {
    const length =
      46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    records.push(zip.subarray(p, p + length));
    p += length;
  }
  return Buffer.concat([zip.subarray(0, offset), ...records.reverse(), end]);
}

/** Validates `zip` as a new dataset; the bytes read from S3 of its raw file, and the result. */
async function validateCounting(zip: Buffer) {
  let rawKey: string | undefined;
  const storage = new CountingStorage(runtime.s3, runtime.config.s3.bucket, () => rawKey);
  const service = new DatasetService({
    storage,
    logger: runtime.logger,
    uploadMaxBytes: 64 << 20,
    waitMs: 600_000,
  });
  const { dataset } = await service.create({
    name: 'many tiny',
    task: 'image_classification',
    format: 'image_folder_zip',
  });
  await service.uploadThroughApi(dataset.id, new Blob([zip]).stream());
  rawKey = keys.datasetRaw(dataset.id);
  const started = performance.now();
  const done = await service.complete(dataset.id);
  const seconds = (performance.now() - started) / 1000;
  return { done, seconds, bytes: storage.rawBytes, ratio: storage.rawBytes / zip.length };
}

const tinyImages = (n: number) =>
  makeZip(
    Array.from({ length: n }, (_, i) => ({
      name: `${i % 2 ? 'odd' : 'even'}/img-${i}.png`,
      data: pixelPng(i & 0xff, (i >> 8) & 0xff, 7),
      deflate: false,
    })),
  );

let runtime: Awaited<ReturnType<typeof isolatedRuntime>>;
beforeAll(async () => {
  runtime = await isolatedRuntime('ty-zipcost');
});
afterAll(() => runtime.dispose());

describe('zip validation cost', () => {
  it(`reads a zip of ${ENTRIES} tiny images from S3 at most 2× its size`, async () => {
    const zip = tinyImages(ENTRIES);
    const { done, seconds, bytes, ratio } = await validateCounting(zip);
    console.log(
      `${ENTRIES} entries, ${zip.length} bytes: validated in ${seconds.toFixed(1)} s, read ${bytes} bytes from S3 (${ratio.toFixed(2)}× the file)`,
    );
    expect(done.status).toBe('ready');
    expect(done.report?.stats?.examples).toBe(ENTRIES);
    expect(ratio).toBeLessThanOrEqual(2);
  }, 180_000);

  it('reads the entries in file order when the directory lists them otherwise', async () => {
    const zip = reverseDirectory(tinyImages(2000));
    const { done, bytes, ratio } = await validateCounting(zip);
    console.log(
      `2000 entries listed in reverse: read ${bytes} bytes (${ratio.toFixed(2)}× the file)`,
    );
    expect(done.status).toBe('ready');
    expect(done.report?.stats?.examples).toBe(2000);
    expect(ratio).toBeLessThanOrEqual(2);
  }, 120_000);
});
