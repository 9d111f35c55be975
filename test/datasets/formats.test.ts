import { datasetManifestSchema, keys } from '@trainyard/shared';
import { cars, digitPng, iris, makeZip, mnistDigits, spamAndHam, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, startTestApi, type TestApi } from '../support/api';

// Each format built from a real data set, uploaded by each route, validated on the real S3
// endpoint; the stats are checked against counts computed here from the source data.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ API_MULTIPART_THRESHOLD_BYTES: String(1024 * 1024) });
});
afterAll(() => api.close());

async function create(spec: object) {
  const res = await api.call('/v1/datasets', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  expect(res.status).toBe(201);
  return body(res);
}

async function complete(id: string, init: RequestInit = { method: 'POST' }) {
  const res = await api.call(`/v1/datasets/${id}/complete`, init);
  expect(res.status).toBe(200);
  return body(res);
}

describe('image_folder_zip', () => {
  it('uploads MNIST digits by presigned PUT and reports exact per-class counts and image stats', async () => {
    const digits = mnistDigits([0, 1, 2], 20);
    const entries = await Promise.all(
      digits.map(async (d, i) => ({ name: `digits/${d.label}/${i}.png`, data: await digitPng(d) })),
    );
    const zip = makeZip([
      ...entries,
      { name: '__MACOSX/digits/0/._0.png', data: 'junk' },
      { name: 'digits/1/notes.txt', data: 'not an image' },
    ]);
    const created = await create({
      name: 'mnist-012',
      task: 'image_classification',
      format: 'image_folder_zip',
    });
    expect(created).toMatchObject({ status: 'awaiting_upload', upload: { method: 'put' } });

    const put = await fetch(created.upload.url, {
      method: 'PUT',
      headers: created.upload.headers,
      body: zip,
    });
    expect(put.status).toBe(200);
    const dataset = await complete(created.id);

    expect(dataset.status).toBe('ready');
    expect(dataset.report.errors).toEqual([]);
    expect(dataset.report.stats).toMatchObject({
      examples: 60,
      classes: { '0': 20, '1': 20, '2': 20 },
      images: {
        width: { min: 28, max: 28, mean: 28 },
        height: { min: 28, max: 28, mean: 28 },
        channels: { '1': 60 },
        formats: { png: 60 },
      },
      bytes: zip.length,
    });
    expect(dataset.report.warnings.map((w: { code: string }) => w.code).sort()).toEqual([
      'ignored_files',
      'not_an_image',
    ]);

    const manifest = await api.runtime.storage.getJson(
      keys.datasetManifest(created.id),
      datasetManifestSchema,
    );
    expect(manifest).toMatchObject({ kind: 'images', examples: 60, classes: ['0', '1', '2'] });
    expect(manifest.shards.reduce((n, s) => n + s.examples, 0)).toBe(60);
  });
});

describe('csv', () => {
  it('uploads iris through the API and infers four numeric columns and three classes', async () => {
    const { header, rows } = iris();
    const created = await create({
      name: 'iris',
      task: 'tabular_classification',
      format: 'csv',
      label_column: 'species',
    });
    const put = await api.call(`/v1/datasets/${created.id}/file`, {
      method: 'PUT',
      body: toCsv(header, rows),
    });
    expect(put.status).toBe(200);
    expect((await body(put)).status).toBe('awaiting_upload');
    const dataset = await complete(created.id);

    const expected: Record<string, number> = {};
    for (const r of rows) expected[r[4]] = (expected[r[4]] ?? 0) + 1;
    expect(dataset.status).toBe('ready');
    expect(dataset.report.stats.examples).toBe(150);
    expect(dataset.report.stats.classes).toEqual(expected);
    expect(
      dataset.report.stats.columns.map((c: { name: string; type: string; missing: number }) => [
        c.name,
        c.type,
        c.missing,
      ]),
    ).toEqual([
      ['sepal_length', 'numeric', 0],
      ['sepal_width', 'numeric', 0],
      ['petal_length', 'numeric', 0],
      ['petal_width', 'numeric', 0],
      ['species', 'categorical', 0],
    ]);
    const petal = dataset.report.stats.columns[2];
    expect(petal.numeric.min).toBe(Math.min(...rows.map((r) => r[2])));
    expect(petal.numeric.max).toBe(Math.max(...rows.map((r) => r[2])));
    expect(dataset.report.warnings.map((w: { code: string }) => w.code)).toContain('duplicate'); // iris has one repeated row
  });

  it('aborts the multipart upload of a dataset deleted before its upload: its part URLs write nothing', async () => {
    const created = await create({
      name: 'never uploaded',
      task: 'tabular_classification',
      format: 'csv',
      label_column: 'species',
      size_bytes: 3 << 20,
    });
    expect(created.upload.method).toBe('multipart');
    const first = created.upload.parts[0].url;
    expect((await fetch(first, { method: 'PUT', body: Buffer.alloc(1 << 20) })).status).toBe(200);
    expect((await api.call(`/v1/datasets/${created.id}`, { method: 'DELETE' })).status).toBe(200);
    for (const part of created.upload.parts) {
      const late = await fetch(part.url, { method: 'PUT', body: Buffer.alloc(1 << 20) });
      expect(late.status).toBe(404);
      expect(await late.text()).toContain('NoSuchUpload');
    }
  });

  it('uploads cars by presigned multipart parts and counts the missing values per column', async () => {
    const all = cars();
    const header = [
      'Name',
      'Miles_per_Gallon',
      'Cylinders',
      'Displacement',
      'Horsepower',
      'Weight_in_lbs',
      'Acceleration',
      'Origin',
    ];
    // Repeat the table so the file is over the 1 MiB multipart threshold set above (3 parts of 1 MiB+).
    const rows = Array.from({ length: 80 }, () =>
      all.map((c) => header.map((h) => c[h as keyof typeof c])),
    ).flat();
    const csv = Buffer.from(toCsv(header, rows));
    const created = await create({
      name: 'cars',
      task: 'tabular_regression',
      format: 'csv',
      label_column: 'Weight_in_lbs',
      size_bytes: csv.length,
    });
    expect(created.upload.method).toBe('multipart');
    const { part_size, parts } = created.upload;
    expect(parts.length).toBe(Math.ceil(csv.length / part_size));
    const etags = [];
    for (const part of parts) {
      const start = (part.part_number - 1) * part_size;
      const res = await fetch(part.url, {
        method: 'PUT',
        body: csv.subarray(start, start + part_size),
      });
      expect(res.status).toBe(200);
      etags.push({ part_number: part.part_number, etag: res.headers.get('etag') });
    }
    const dataset = await complete(created.id, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parts: etags }),
    });
    expect(dataset.status).toBe('ready');
    // The upload id ended with complete: its part URLs write nothing more (404 NoSuchUpload).
    const late = await fetch(parts[0].url, { method: 'PUT', body: Buffer.alloc(2 << 20) });
    expect(late.status).toBe(404);
    expect(await late.text()).toContain('NoSuchUpload');
    const columns = Object.fromEntries(
      dataset.report.stats.columns.map((c: { name: string }) => [c.name, c]),
    );
    expect(columns.Miles_per_Gallon).toMatchObject({
      type: 'numeric',
      missing: 80 * all.filter((c) => c.Miles_per_Gallon === null).length,
    });
    expect(columns.Horsepower).toMatchObject({
      type: 'numeric',
      missing: 80 * all.filter((c) => c.Horsepower === null).length,
    });
    expect(columns.Origin).toMatchObject({
      type: 'categorical',
      missing: 0,
      distinct: new Set(all.map((c) => c.Origin)).size,
    });
    expect(dataset.report.stats.label).toEqual({
      min: Math.min(...all.map((c) => c.Weight_in_lbs)),
      max: Math.max(...all.map((c) => c.Weight_in_lbs)),
      mean: expect.closeTo(all.reduce((s, c) => s + c.Weight_in_lbs, 0) / all.length, 3),
    });
    expect(dataset.report.stats.examples).toBe(rows.length);
  });
});

describe('jsonl', () => {
  it('uploads SpamAssassin mail through the API and reports classes and text lengths', async () => {
    const mails = spamAndHam(25);
    const created = await create({ name: 'spam', task: 'text_classification', format: 'jsonl' });
    const jsonl = mails.map((m) => JSON.stringify(m)).join('\n');
    expect(
      (await api.call(`/v1/datasets/${created.id}/file`, { method: 'PUT', body: jsonl })).status,
    ).toBe(200);
    const dataset = await complete(created.id);
    expect(dataset.status).toBe('ready');
    const lengths = mails.map((m) => m.text.length);
    expect(dataset.report.stats).toMatchObject({
      examples: 50,
      classes: { ham: 25, spam: 25 },
      text_length: { min: Math.min(...lengths), max: Math.max(...lengths) },
    });
    // Every text counted once, in the bucket that holds its length.
    const histogram: { from: number; to: number; count: number }[] =
      dataset.report.stats.text_length.histogram;
    expect(histogram.length).toBeLessThanOrEqual(20);
    expect(histogram.reduce((s, b) => s + b.count, 0)).toBe(50);
    for (const b of histogram) {
      expect(b.count).toBe(lengths.filter((n) => b.from <= n && n < b.to).length);
    }
  });

  it('reads UTF-16 with a byte-order mark, as Windows saves "Unicode" text, like UTF-8', async () => {
    const lines = [
      { text: 'Größe zählt, café crème', label: 'gut' },
      { text: '日本語のテキストです', label: 'schlecht' },
      { text: 'ça va très bien merci', label: 'gut' },
      { text: 'emoji 🚂 on the line', label: 'schlecht' },
    ];
    const text = `${lines.map((l) => JSON.stringify(l)).join('\r\n')}\r\n`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    for (const bytes of [le, be]) {
      const created = await create({ name: 'u16', task: 'text_classification', format: 'jsonl' });
      const put = await api.call(`/v1/datasets/${created.id}/file`, { method: 'PUT', body: bytes });
      expect(put.status).toBe(200);
      const dataset = await complete(created.id);
      expect(dataset.status, JSON.stringify(dataset.report)).toBe('ready');
      expect(dataset.report.stats).toMatchObject({
        examples: 4,
        classes: { gut: 2, schlecht: 2 },
        text_length: {
          min: Math.min(...lines.map((l) => l.text.length)),
          max: Math.max(...lines.map((l) => l.text.length)),
        },
      });
    }
  });

  it('names what a line holds instead of an object or a string text: null, an array, a number', async () => {
    const created = await create({ name: 'kinds', task: 'text_classification', format: 'jsonl' });
    const jsonl = ['null', '{"text": ["a", "b"], "label": "x"}', '{"text": 7, "label": "x"}'];
    await api.call(`/v1/datasets/${created.id}/file`, { method: 'PUT', body: jsonl.join('\n') });
    const dataset = await complete(created.id);
    expect(dataset.status).toBe('invalid');
    const messages = dataset.report.errors.map((e: { message: string }) => e.message);
    expect(messages).toContain(
      'line 1: expected an object {"text": "...", "label": "..."}; received null',
    );
    expect(messages).toContain('line 2: "text" must be a string; received an array');
    expect(messages).toContain('line 3: "text" must be a string; received a number');
  });
});

describe('lifecycle', () => {
  it('lists in pages, keeps a ready dataset immutable, and deletes every object', async () => {
    const { header, rows } = iris();
    const created = await create({
      name: 'iris-again',
      task: 'tabular_classification',
      format: 'csv',
      label_column: 'species',
    });
    await api.call(`/v1/datasets/${created.id}/file`, { method: 'PUT', body: toCsv(header, rows) });
    await complete(created.id);

    const again = await api.call(`/v1/datasets/${created.id}/file`, {
      method: 'PUT',
      body: 'a,b\n1,2\n',
    });
    expect(again.status).toBe(409);
    expect((await body(again)).error.code).toBe('dataset_immutable');

    const first = await body(await api.call('/v1/datasets?limit=2'));
    expect(first.data).toHaveLength(2);
    expect(first.has_more).toBe(true);
    const rest = await body(await api.call(`/v1/datasets?limit=100&after=${first.last_id}`));
    const ids = [...first.data, ...rest.data].map((d: { id: string }) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(created.id);

    const deleted = await api.call(`/v1/datasets/${created.id}`, { method: 'DELETE' });
    expect(await body(deleted)).toEqual({ id: created.id, object: 'dataset', deleted: true });
    // Nothing is left but the empty seal that makes the old upload URL write nothing.
    const left = (await api.runtime.storage.listPage(keys.dataset(created.id))).objects;
    expect(left.map((o) => [o.key, o.size])).toEqual([[keys.datasetUpload(created.id), 0]]);
    expect((await api.call(`/v1/datasets/${created.id}`)).status).toBe(404);
  });

  it('replays a create with the same Idempotency-Key and refuses the key with another body', async () => {
    const spec = { name: 'idem', task: 'text_classification', format: 'jsonl' };
    const post = (b: object) =>
      api.call('/v1/datasets', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': 'k-123' },
        body: JSON.stringify(b),
      });
    const first = await post(spec);
    const second = await post(spec);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await body(second)).id).toBe((await body(first)).id);
    const before = (await body(await api.call('/v1/datasets?limit=100'))).data.length;
    const other = await post({ ...spec, name: 'other' });
    expect(other.status).toBe(409);
    expect((await body(other)).error.code).toBe('idempotency_key_reused');
    expect((await body(await api.call('/v1/datasets?limit=100'))).data.length).toBe(before);
  });

  it('names the field, the value received and what was expected when a create is wrong', async () => {
    const res = await api.call('/v1/datasets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', task: 'image_classification', format: 'csv' }),
    });
    expect(res.status).toBe(400);
    const { error } = await body(res);
    expect(error).toMatchObject({ code: 'invalid_request', param: 'body.format' });
    expect(error.message).toContain('image_folder_zip');
    expect(error.message).toContain('received "csv"');
  });
});
