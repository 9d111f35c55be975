import { crc32 } from 'node:zlib';
import { DatasetService, defaultLimits } from '@trainyard/datasets';
import { keys } from '@trainyard/shared';
import { digitPng, makeZip, mnistDigits, type ZipEntry } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, startTestApi, type TestApi } from '../support/api';

// Hostile and broken uploads: each gets a clear answer, and nothing is written outside the
// dataset's own prefix.

let api: TestApi;
let pngs: Buffer[];
beforeAll(async () => {
  api = await startTestApi({ API_UPLOAD_MAX_BYTES: String(256 * 1024) });
  pngs = await Promise.all(mnistDigits([3, 5], 3).map(digitPng));
});
afterAll(() => api.close());

async function allKeys(): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const o of api.runtime.storage.list('')) out.add(o.key);
  return out;
}

/** Creates, uploads through the API, completes; returns the dataset and the keys it added. */
async function submit(spec: object, file: Buffer | string) {
  const before = await allKeys();
  const created = await body(
    await api.call('/v1/datasets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(spec),
    }),
  );
  const put = await api.call(`/v1/datasets/${created.id}/file`, { method: 'PUT', body: file });
  expect(put.status).toBe(200);
  const done = await api.call(`/v1/datasets/${created.id}/complete`, { method: 'POST' });
  expect(done.status).toBe(200);
  const dataset = await body(done);
  const added = [...(await allKeys())].filter((k) => !before.has(k));
  return { dataset, added, prefix: keys.dataset(created.id) };
}

const classFolders = (): ZipEntry[] => [
  { name: 'three/a.png', data: pngs[0]! },
  { name: 'three/b.png', data: pngs[1]! },
  { name: 'five/a.png', data: pngs[3]! },
  { name: 'five/b.png', data: pngs[4]! },
];

async function expectInvalid(spec: object, file: Buffer | string, code: string, where?: RegExp) {
  const { dataset, added, prefix } = await submit(spec, file);
  expect(dataset.status).toBe('invalid');
  const issue = dataset.report.errors.find((e: { code: string }) => e.code === code);
  expect(issue, JSON.stringify(dataset.report.errors)).toBeDefined();
  if (where) expect(issue.where).toMatch(where);
  for (const key of added) expect(key.startsWith(prefix)).toBe(true);
  // Nothing normalized is left for training when the dataset is invalid.
  expect(added.filter((k) => k.includes('/normalized/'))).toEqual([]);
  return issue as { code: string; message: string; where?: string };
}

const images = { name: 'h', task: 'image_classification', format: 'image_folder_zip' };
const table = { name: 'h', task: 'tabular_classification', format: 'csv', label_column: 'label' };
const texts = { name: 'h', task: 'text_classification', format: 'jsonl' };

describe('hostile archives', () => {
  it('refuses an entry that climbs out with ../', async () => {
    const issue = await expectInvalid(
      images,
      makeZip([...classFolders(), { name: 'three/../../evil.png', data: pngs[2]! }]),
      'zip_unsafe_path',
    );
    expect(issue.message).toContain('three/../../evil.png');
  });

  it('refuses absolute paths', async () => {
    await expectInvalid(
      images,
      makeZip([...classFolders(), { name: '/etc/cron.d/x.png', data: pngs[2]! }]),
      'zip_unsafe_path',
    );
  });

  it('refuses symbolic links', async () => {
    const issue = await expectInvalid(
      images,
      makeZip([...classFolders(), { name: 'five/link.png', data: '/etc/passwd', mode: 0o120777 }]),
      'zip_symlink',
    );
    expect(issue.where).toBe('five/link.png');
  });

  it('refuses a zip bomb by its expansion ratio', async () => {
    const bomb = { name: 'five/bomb.png', data: Buffer.alloc(40 * 1024 * 1024) };
    const zip = makeZip([...classFolders(), bomb]);
    expect(zip.length).toBeLessThan(256 * 1024);
    const issue = await expectInvalid(images, zip, 'zip_bomb');
    expect(issue.message).toMatch(/expands \d+×/);
  });

  it('caps the number of entries and the total uncompressed bytes', async () => {
    const service = new DatasetService({
      storage: api.runtime.storage,
      logger: api.runtime.logger,
      uploadMaxBytes: 1 << 20,
      limits: { ...defaultLimits, zipEntries: 3, zipTotalBytes: 10_000 },
    });
    for (const [entries, code] of [
      [classFolders(), 'zip_too_many_entries'],
      [
        [
          { name: 'three/big.png', data: Buffer.alloc(6000, 1), deflate: false },
          { name: 'five/big.png', data: Buffer.alloc(6000, 2), deflate: false },
        ],
        'zip_too_large',
      ],
    ] as const) {
      const { dataset } = await service.create({
        name: 'caps',
        task: 'image_classification',
        format: 'image_folder_zip',
      });
      const zip = makeZip(entries as ZipEntry[]);
      await service.uploadThroughApi(dataset.id, new Blob([zip]).stream(), zip.length);
      const done = await service.complete(dataset.id);
      expect(done.status).toBe('invalid');
      expect(done.report!.errors.map((e) => e.code)).toContain(code);
    }
  });

  it('rejects an image whose header declares too many pixels, before decoding it', async () => {
    // A real 28×28 PNG whose IHDR is rewritten to claim 60000×60000 (with a valid chunk CRC).
    const png = Buffer.from(pngs[2]!);
    png.writeUInt32BE(60000, 16);
    png.writeUInt32BE(60000, 20);
    png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
    const issue = await expectInvalid(
      images,
      makeZip([...classFolders(), { name: 'three/huge.png', data: png }]),
      'image_too_many_pixels',
    );
    expect(issue.message).toContain('60000×60000');
  });

  it('says which file is not what it claims', async () => {
    await expectInvalid(
      images,
      makeZip([...classFolders(), { name: 'five/photo.png', data: 'I am text, not a PNG' }]),
      'not_an_image',
      /five\/photo.png/,
    );
    await expectInvalid(
      images,
      makeZip([...classFolders(), { name: 'five/cut.png', data: pngs[5]!.subarray(0, 60) }]),
      'unreadable_image',
    );
    // A plain grey PNG (the kind proven whole without sharp) with one byte of its pixel data
    // flipped: its chunk's CRC no longer matches.
    const flipped = Buffer.from(pngs[5]!);
    const idat = flipped.indexOf('IDAT');
    flipped[idat + 10] = flipped[idat + 10]! ^ 0xff;
    await expectInvalid(
      images,
      makeZip([...classFolders(), { name: 'five/flipped.png', data: flipped }]),
      'unreadable_image',
      /five\/flipped.png/,
    );
    const issue = await expectInvalid(images, 'sepal,label\n1,a\n', 'not_a_zip');
    expect(issue.message).toContain('image_folder_zip');
  });

  it('refuses a zip with a single class', async () => {
    await expectInvalid(images, makeZip(classFolders().slice(0, 2)), 'single_class');
  });
});

describe('broken text files', () => {
  it('names the line of invalid UTF-8, in CSV and in JSONL', async () => {
    const csv = Buffer.concat([
      Buffer.from('x,label\n1,a\n2,b\n3,'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('\n'),
    ]);
    const issue = await expectInvalid(table, csv, 'invalid_utf8', /^line 4$/);
    expect(issue.message).toContain('line 4');
    const jsonl = Buffer.concat([
      Buffer.from('{"text":"good","label":"a"}\n{"text":"'),
      Buffer.from([0xff]),
      Buffer.from('","label":"b"}\n'),
    ]);
    await expectInvalid(texts, jsonl, 'invalid_utf8', /^line 2$/);
  });

  it('names CSV rows with the wrong number of fields', async () => {
    const issue = await expectInvalid(
      table,
      'x,y,label\n1,2,a\n3,4,b\n5,b\n6,7,a\n',
      'wrong_field_count',
      /^line 4$/,
    );
    expect(issue.message).toBe('line 4: 2 fields; expected 3 (as in the header)');
  });

  it('refuses empty labels and a missing label column', async () => {
    await expectInvalid(table, 'x,label\n1,a\n2,\n3,b\n', 'empty_label', /^line 3$/);
    await expectInvalid(
      texts,
      '{"text":"hello there","label":"a"}\n{"text":"hi you","label":""}\n',
      'empty_label',
      /^line 2$/,
    );
    const issue = await expectInvalid(table, 'x,species\n1,a\n2,b\n', 'label_column_missing');
    expect(issue.message).toContain('"x", "species"');
  });

  it('reports JSON that does not parse, with its line', async () => {
    await expectInvalid(
      texts,
      '{"text":"fine text","label":"a"}\n{"text": oops}\n{"text":"more text","label":"b"}\n',
      'invalid_json',
      /^line 2$/,
    );
  });
});

describe('CSV injection', () => {
  it('never hands formula cells back unescaped when the rows are downloaded', async () => {
    const csv = [
      'name,score,label',
      '"=HYPERLINK(""http://evil.example"",""click"")",1,a',
      '+cmd|calc,2,b',
      '@SUM(A1:A9),-3,a',
      '-2+3,4,b',
      'plain,5,a',
    ].join('\n');
    const { dataset } = await submit(table, csv);
    expect(dataset.status).toBe('ready');
    const res = await api.call(`/v1/datasets/${dataset.id}/rows.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const { parse } = await import('csv-parse/sync');
    const rows = parse(await res.text()) as string[][];
    expect(rows[0]).toEqual(['name', 'score', 'label']);
    const names = rows.slice(1).map((r) => r[0]);
    expect(names).toEqual([
      `'=HYPERLINK("http://evil.example","click")`,
      "'+cmd|calc",
      "'@SUM(A1:A9)",
      "'-2+3",
      'plain',
    ]);
    // Numbers stay numbers (a negative number is not a formula).
    expect(rows.slice(1).map((r) => r[1])).toEqual(['1', '2', '-3', '4', '5']);
  });
});

describe('upload routes', () => {
  it('answers 413 past the API upload cap, names the presigned route, and stores nothing', async () => {
    const created = await body(
      await api.call('/v1/datasets', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(texts),
      }),
    );
    const res = await api.call(`/v1/datasets/${created.id}/file`, {
      method: 'PUT',
      body: Buffer.alloc(300 * 1024, 0x61),
    });
    expect(res.status).toBe(413);
    const { error } = await body(res);
    expect(error.code).toBe('payload_too_large');
    expect(error.message).toMatch(/presigned URL/);
    expect(await api.runtime.storage.exists(keys.datasetRaw(created.id))).toBe(false);

    // A body that hides its length (chunked) is cut off at the cap just the same.
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(0x62));
        controller.close();
      },
    });
    const res2 = await api.call(`/v1/datasets/${created.id}/file`, {
      method: 'PUT',
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    expect(res2.status).toBe(413);
    expect(await api.runtime.storage.exists(keys.datasetRaw(created.id))).toBe(false);
  });

  it('answers complete without an upload with 409 file_missing', async () => {
    const created = await body(
      await api.call('/v1/datasets', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(texts),
      }),
    );
    const res = await api.call(`/v1/datasets/${created.id}/complete`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect((await body(res)).error.code).toBe('file_missing');
  });
});
