import { DatasetService } from '@trainyard/datasets';
import { keys } from '@trainyard/shared';
import { isolatedRuntime, makeZip } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingStorage } from '../support/counting-storage';

// A CSV or JSON Lines upload is read from S3 once: the check of its first bytes (is it a zip, an
// image, a PDF?) and the encoding and dialect sniffing reuse the one stream that is validated.

let runtime: Awaited<ReturnType<typeof isolatedRuntime>>;
beforeAll(async () => {
  runtime = await isolatedRuntime('ty-readonce');
});
afterAll(() => runtime.dispose());

async function validateCounting(
  spec: Parameters<DatasetService['create']>[0],
  file: Uint8Array | string,
) {
  let rawKey: string | undefined;
  const storage = new CountingStorage(runtime.s3, runtime.config.s3.bucket, () => rawKey);
  const service = new DatasetService({
    storage,
    logger: runtime.logger,
    uploadMaxBytes: 1 << 20,
    waitMs: 60_000,
  });
  const { dataset } = await service.create(spec);
  await service.uploadThroughApi(dataset.id, new Blob([file]).stream());
  rawKey = keys.datasetRaw(dataset.id);
  const done = await service.complete(dataset.id);
  return { done, reads: storage.rawReads, bytes: storage.rawBytes };
}

const csv = `a,b,label\n${Array.from({ length: 300 }, (_, i) => `${i},${i % 7},${i % 2 ? 'x' : 'y'}`).join('\n')}\n`;
const jsonl = `${Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: `text number ${i}`, label: i % 2 ? 'a' : 'b' })).join('\n')}\n`;

describe('text uploads are read once', () => {
  it('validates a CSV with one GET of its bytes', async () => {
    const { done, reads, bytes } = await validateCounting(
      { name: 't', task: 'tabular_classification', format: 'csv', label_column: 'label' },
      csv,
    );
    expect(done.status).toBe('ready');
    expect(done.report?.stats?.examples).toBe(300);
    expect({ reads, bytes }).toEqual({ reads: 1, bytes: Buffer.byteLength(csv) });
  });

  it('validates JSON Lines with one GET of its bytes', async () => {
    const { done, reads, bytes } = await validateCounting(
      { name: 't', task: 'text_classification', format: 'jsonl' },
      jsonl,
    );
    expect(done.status).toBe('ready');
    expect({ reads, bytes }).toEqual({ reads: 1, bytes: Buffer.byteLength(jsonl) });
  });

  it('refuses a zip uploaded as CSV from the same single GET', async () => {
    const zip = makeZip([{ name: 'table.csv', data: Buffer.from(csv) }]);
    const { done, reads } = await validateCounting(
      { name: 't', task: 'tabular_classification', format: 'csv', label_column: 'label' },
      zip,
    );
    expect(done.status).toBe('invalid');
    expect(done.report?.errors.map((e) => e.code)).toEqual(['wrong_file_type']);
    expect(reads).toBe(1);
  });
});
