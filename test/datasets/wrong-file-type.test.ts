import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cars, digitPng, makeZip, mnistDigits } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, startTestApi, type TestApi } from '../support/api';

// A file of the wrong kind for its format (a zip, a picture, a gzip sent as CSV or JSONL) is
// named for what it is, with what to upload instead: not a UTF-8 error at some byte of it.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

/** The first `n` vega cars as a CSV of weight, cylinders and origin (the label). */
function carsCsv(n: number): Buffer {
  const rows = cars()
    .slice(0, n)
    .map((c) => `${c.Weight_in_lbs},${c.Cylinders},${c.Origin}`);
  return Buffer.from(`weight,cylinders,origin\n${rows.join('\n')}\n`);
}

/** Creates a dataset, PUTs `file` through the API and completes it: the dataset as answered. */
async function upload(format: 'csv' | 'jsonl', task: string, file: Uint8Array) {
  const created = await body(
    await api.call('/v1/datasets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'wrong',
        task,
        format,
        ...(format === 'csv' ? { label_column: 'origin' } : {}),
      }),
    }),
  );
  expect(created.upload, JSON.stringify(created)).toBeDefined();
  const put = await fetch(created.upload.url, {
    method: 'PUT',
    headers: created.upload.headers,
    body: file,
  });
  expect(put.status).toBe(200);
  const done = await api.call(`/v1/datasets/${created.id}/complete`, { method: 'POST' });
  expect(done.status).toBe(200);
  return body(done);
}

describe('a file of the wrong kind', () => {
  it('names a zip, a PNG, a gzip and a WebP for what they are, and says what to upload instead', async () => {
    const png = await digitPng(mnistDigits([3], 1)[0]!);
    const zip = makeZip([{ name: 'cats/1.png', data: png }]);
    const webp = await readFile(
      join(
        import.meta.dirname,
        '..',
        'fixtures',
        'realworld',
        '06-image-encodings',
        'probe-red-webp.webp',
      ),
    );
    const cases: Array<[format: 'csv' | 'jsonl', Uint8Array, RegExp]> = [
      [
        'csv',
        zip,
        /^The file is a zip archive \(it starts with 50 4B 03 04\), not CSV text as format csv expects; a zip of image class folders is format image_folder_zip/,
      ],
      [
        'jsonl',
        png,
        /^The file is a PNG image \(it starts with 89 50 4E 47 0D 0A 1A 0A\), not JSON Lines text as format jsonl expects; images go in a zip of class folders/,
      ],
      ['csv', gzipSync(carsCsv(20)), /^The file is a gzip file .*decompress it/],
      ['csv', webp, /^The file is a WebP image \(it starts with 52 49 46 46 .* 57 45 42 50\)/],
    ];
    for (const [format, file, message] of cases) {
      const dataset = await upload(
        format,
        format === 'csv' ? 'tabular_classification' : 'text_classification',
        file,
      );
      expect(dataset.status).toBe('invalid');
      expect(dataset.report.errors).toHaveLength(1);
      expect(dataset.report.errors[0].code).toBe('wrong_file_type');
      expect(dataset.report.errors[0].message).toMatch(message);
    }
  });

  it('leaves CSV text alone, and a regression label that is text suggests classification', async () => {
    const ok = await upload('csv', 'tabular_classification', carsCsv(30));
    expect(ok.status).toBe('ready');
    const textLabels = await upload('csv', 'tabular_regression', carsCsv(30));
    expect(textLabels.status).toBe('invalid');
    expect(textLabels.report.errors[0].message).toContain(
      'labels that name classes are task tabular_classification',
    );
  });
});
