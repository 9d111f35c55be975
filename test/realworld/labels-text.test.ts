import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createRuntime,
  datasetManifestSchema,
  type ImageIndexEntry,
  imageIndexEntrySchema,
  keys,
} from '@trainyard/shared';
import { digitPng, makeZip, mnistDigits } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { platformHarness } from '../jobs/platform-support';
import { type Loose, untilEnded } from '../jobs/support';

// Real-world cases 13 and 14 (test/fixtures/realworld) through `npm start`'s platform over HTTP:
// datasets uploaded and validated by the API, jobs run by the real trainer with the API's
// defaults, predictions from the inference endpoint.

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'realworld');
const fixture = (path: string) => readFileSync(join(fixtures, path));
const jsonLines = (path: string): Array<{ text: string; label: string }> =>
  fixture(path)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

let harness: Awaited<ReturnType<typeof platformHarness>>;
beforeAll(async () => {
  harness = await platformHarness();
  await harness.start();
});
afterAll(() => harness.dispose());

const json = (res: Response): Promise<Loose> => res.json();
const call = (path: string, init?: RequestInit) => harness.call(path, init);

/** POST /v1/datasets, PUT the file, POST complete: the dataset as `complete` answers it. */
async function uploadDataset(create: object, file: Uint8Array | string): Promise<Loose> {
  const created = await call('/v1/datasets', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(create),
  });
  expect(created.status).toBe(201);
  const { id } = await json(created);
  const put = await call(`/v1/datasets/${id}/file`, { method: 'PUT', body: file });
  expect(put.status).toBe(200);
  return json(await call(`/v1/datasets/${id}/complete`, { method: 'POST' }));
}

/** A job on `dataset` (every field not in `fields` the API's default), run to its end. */
async function train(dataset: string, fields: object = {}): Promise<Loose> {
  const created = await call('/v1/fine-tuning/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dataset, ...fields }),
  });
  expect(created.status).toBe(201);
  const job = await untilEnded({ call }, (await json(created)).id, 240_000);
  expect(job.error).toBeNull();
  expect(job.status).toBe('succeeded');
  return job;
}

function predict(model: string, body: unknown): Promise<Response> {
  return fetch(`${harness.platform.inferUrl}/v1/models/${model}/predict`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${harness.platform.apiKey.secret}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
}

/** `"label" (count)` of each spelling, as the report lists a group. */
const group = (...spellings: Array<[string, number]>) =>
  spellings.map(([s, n]) => `${JSON.stringify(s)} (${n})`).join(', ');

const codes = (issues: Array<{ code: string }>) => issues.map((i) => i.code);

describe('case 13: a JSONL saved on Windows, labels spelt two ways', () => {
  const file = fixture('13-jsonl-windows-labels-case/reviews.jsonl');
  // What the file holds, read independently: every line that is not blank is an example.
  const records = file
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { text: string; label: string });
  const count = (label: string) => records.filter((r) => r.label.trim() === label).length;

  it('parses every line (BOM, CRLF, blank and whitespace-only lines, emoji) and warns about each label spelt two ways', async () => {
    const dataset = await uploadDataset(
      { name: 'reviews', task: 'text_classification', format: 'jsonl' },
      file,
    );
    expect(dataset.status).toBe('ready');
    const { report } = dataset;
    expect(report.errors).toEqual([]);
    expect(report.stats.examples).toBe(records.length);
    expect(report.stats.classes).toEqual({
      negative: count('negative'),
      NEGATIVE: count('NEGATIVE'),
      positive: count('positive'),
      Positive: count('Positive'),
    });
    const warnings = report.warnings.filter(
      (w: { code: string }) => w.code === 'near_duplicate_labels',
    );
    expect(warnings.map((w: { message: string }) => w.message)).toEqual([
      expect.stringContaining(
        group(['positive', count('positive')], ['Positive', count('Positive')]),
      ),
      expect.stringContaining(
        group(['negative', count('negative')], ['NEGATIVE', count('NEGATIVE')]),
      ),
    ]);
    expect(warnings[0].message).toContain('merge_near_duplicate_labels');
  });

  it('with merge_near_duplicate_labels, trains a two-class model, and an empty text in a batch is a 400 naming inputs[i]', async () => {
    const dataset = await uploadDataset(
      {
        name: 'reviews-merged',
        task: 'text_classification',
        format: 'jsonl',
        merge_near_duplicate_labels: true,
      },
      file,
    );
    expect(dataset).toMatchObject({ status: 'ready', merge_near_duplicate_labels: true });
    const { report } = dataset;
    expect(report.stats.classes).toEqual({
      negative: count('negative') + count('NEGATIVE'),
      positive: count('positive') + count('Positive'),
    });
    expect(codes(report.warnings)).not.toContain('near_duplicate_labels');
    const merges = report.warnings.filter(
      (w: { code: string }) => w.code === 'near_duplicate_labels_merged',
    );
    expect(merges.map((w: { message: string }) => w.message)).toEqual([
      expect.stringContaining(`Merged ${group(['Positive', count('Positive')])} into "positive"`),
      expect.stringContaining(`Merged ${group(['NEGATIVE', count('NEGATIVE')])} into "negative"`),
    ]);

    const job = await train(dataset.id, { hyperparameters: { epochs: 2 } });
    const ok = await predict(job.result_model, { inputs: ['excellent value 😍'], top_k: 2 });
    expect(ok.status).toBe(200);
    const { predictions } = await json(ok);
    expect(predictions[0].map((p: { label: string }) => p.label).sort()).toEqual([
      'negative',
      'positive',
    ]);

    for (const [inputs, param] of [
      [['love it', ''], 'inputs[1]'],
      [['', 'love it'], 'inputs[0]'],
      [['love it', 'never again', ' \r\n '], 'inputs[2]'],
    ] as const) {
      const res = await predict(job.result_model, { inputs });
      expect(res.status).toBe(400);
      const { error } = await json(res);
      expect(error.message).toContain(`${param}: received an empty text`);
    }
  }, 300_000);

  it('refuses merge_near_duplicate_labels on a regression dataset, naming the field', async () => {
    const res = await call('/v1/datasets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'prices',
        task: 'tabular_regression',
        format: 'csv',
        label_column: 'price',
        merge_near_duplicate_labels: true,
      }),
    });
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error.param).toBe('body.merge_near_duplicate_labels');
    expect(error.message).toContain('classification');
  });
});

describe('near-duplicate labels in a CSV and in image folder names', () => {
  // Cat/cat, full-width ｃａｔ, trailing punctuation; crème once composed (NFC), once decomposed.
  const spellings: Array<[string, number]> = [
    ['cat', 12],
    ['Cat', 2],
    ['ｃａｔ', 1],
    ['cat.', 1],
  ];
  const csvRows = [
    ...spellings.flatMap(([label, n]) => Array.from({ length: n }, () => label)),
    ...Array.from({ length: 11 }, () => 'dog'),
    ...Array.from({ length: 6 }, () => 'cr\u00e8me'),
    ...Array.from({ length: 6 }, () => 'cre\u0300me'),
  ].map((label, i) => `${i},${(i * 7) % 13}.5,${label}`);
  const csv = `id,weight,animal\r\n${csvRows.join('\r\n')}\r\n`;
  const create = (merge: boolean) => ({
    name: 'animals',
    task: 'tabular_classification',
    format: 'csv',
    label_column: 'animal',
    ...(merge ? { merge_near_duplicate_labels: true } : {}),
  });

  it('CSV: warns with every spelling and its count; labels are NFC', async () => {
    const dataset = await uploadDataset(create(false), csv);
    expect(dataset.status).toBe('ready');
    expect(dataset.merge_near_duplicate_labels).toBe(false);
    expect(dataset.report.stats.classes).toEqual({
      ...Object.fromEntries(spellings),
      dog: 11,
      'cr\u00e8me': 12,
    });
    const warnings = dataset.report.warnings.filter(
      (w: { code: string }) => w.code === 'near_duplicate_labels',
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ where: 'class cat' });
    expect(warnings[0].message).toContain(group(...spellings));
    const rows = await (await call(`/v1/datasets/${dataset.id}/rows.csv`)).text();
    expect(rows).toContain(',cr\u00e8me\r\n');
    expect(rows).not.toContain('cre\u0300me');
  });

  it('CSV: merged into the most frequent spelling, in the report and in the rows training reads', async () => {
    const dataset = await uploadDataset(create(true), csv);
    expect(dataset.status).toBe('ready');
    expect(dataset.report.stats.classes).toEqual({ cat: 16, dog: 11, 'cr\u00e8me': 12 });
    expect(codes(dataset.report.warnings)).toContain('near_duplicate_labels_merged');
    const rows = await (await call(`/v1/datasets/${dataset.id}/rows.csv`)).text();
    const labels = rows
      .trim()
      .split('\r\n')
      .slice(1)
      .map((r) => r.split(',')[2]);
    expect(new Set(labels)).toEqual(new Set(['cat', 'dog', 'cr\u00e8me']));
    expect(labels.filter((l) => l === 'cat')).toHaveLength(16);
  });

  async function imageZip(): Promise<Buffer> {
    const digits = mnistDigits([3], 30);
    const folders: Array<[string, number]> = [...spellings.map(([s]) => s), 'dog'].map((s) => [
      s,
      s === 'cat' ? 10 : s === 'dog' ? 10 : s === 'Cat' ? 2 : 1,
    ]);
    const entries = [];
    let next = 0;
    for (const [folder, n] of folders) {
      for (let i = 0; i < n; i++)
        entries.push({ name: `${folder}/${i}.png`, data: await digitPng(digits[next++]!) });
    }
    return makeZip(entries);
  }

  it('image folders: warns about Cat/cat/ｃａｔ/cat., or merges them into the two classes training reads', async () => {
    const zip = await imageZip();
    const kept = await uploadDataset(
      { name: 'pets', task: 'image_classification', format: 'image_folder_zip' },
      zip,
    );
    expect(kept.status).toBe('ready');
    expect(Object.keys(kept.report.stats.classes).sort()).toEqual(
      ['Cat', 'cat', 'cat.', 'dog', 'ｃａｔ'].sort(),
    );
    const warning = kept.report.warnings.find(
      (w: { code: string }) => w.code === 'near_duplicate_labels',
    );
    expect(warning.message).toContain(group(['cat', 10], ['Cat', 2], ['ｃａｔ', 1], ['cat.', 1]));

    const merged = await uploadDataset(
      {
        name: 'pets',
        task: 'image_classification',
        format: 'image_folder_zip',
        merge_near_duplicate_labels: true,
      },
      zip,
    );
    expect(merged.status).toBe('ready');
    expect(merged.report.stats.classes).toEqual({ cat: 14, dog: 10 });
    // What training reads: every image indexed under one of the two classes.
    const { storage } = createRuntime(harness.platform.config, 'test');
    const manifest = await storage.getJson(keys.datasetManifest(merged.id), datasetManifestSchema);
    expect(manifest.classes).toEqual(['cat', 'dog']);
    if (manifest.kind !== 'images') throw new Error(`manifest of ${manifest.kind}`);
    const index: ImageIndexEntry[] = [];
    for (const shard of manifest.shards)
      index.push(...(await storage.getJson(shard.index, z.array(imageIndexEntrySchema))));
    expect(index.filter((e) => e[2] === 0)).toHaveLength(14);
    expect(index.filter((e) => e[2] === 1)).toHaveLength(10);
  });
});

describe('labels in JSONL written decomposed (NFD)', () => {
  it('are counted, trained and predicted in NFC, the spelling people type', async () => {
    const words = ['sweet', 'vanilla', 'sugar', 'milk', 'coffee', 'bitter', 'roast', 'bean'];
    const lines = Array.from({ length: 24 }, (_, i) => {
      const sweet = i % 2 === 0;
      const label = sweet ? (i % 4 === 0 ? 'cre\u0300me' : 'cr\u00e8me') : 'cafe\u0301';
      const text = `${words[(sweet ? 0 : 4) + (i % 4)]} ${words[(sweet ? 0 : 4) + ((i + 1) % 4)]}`;
      return JSON.stringify({ text, label });
    });
    const dataset = await uploadDataset(
      { name: 'desserts', task: 'text_classification', format: 'jsonl' },
      lines.join('\n'),
    );
    expect(dataset.status).toBe('ready');
    expect(dataset.report.stats.classes).toEqual({ 'caf\u00e9': 12, 'cr\u00e8me': 12 });
    expect(codes(dataset.report.warnings)).not.toContain('near_duplicate_labels');
    const job = await train(dataset.id, { hyperparameters: { epochs: 1 } });
    const res = await predict(job.result_model, { inputs: ['vanilla sugar'], top_k: 2 });
    expect(res.status).toBe(200);
    const { predictions } = await json(res);
    expect(predictions[0].map((p: { label: string }) => p.label).sort()).toEqual([
      'caf\u00e9',
      'cr\u00e8me',
    ]);
  }, 300_000);
});

describe('case 14: text without spaces between words', () => {
  for (const lang of ['zh', 'en'] as const) {
    it(`${lang}: trained with the API defaults, labels held-out sentences with accuracy ≥ 0.8`, async () => {
      const dataset = await uploadDataset(
        { name: `news-${lang}`, task: 'text_classification', format: 'jsonl' },
        fixture(`14-text-cjk-no-spaces/${lang}-train.jsonl`),
      );
      expect(dataset.status).toBe('ready');
      const job = await train(dataset.id);
      expect(job.architecture.type).toBe('bag_of_embeddings');
      const held = jsonLines(`14-text-cjk-no-spaces/${lang}-test.jsonl`);
      const res = await predict(job.result_model, { inputs: held.map((e) => e.text) });
      expect(res.status).toBe(200);
      const { predictions } = await json(res);
      const correct = held.filter((e, i) => predictions[i][0].label === e.label).length;
      expect(correct / held.length).toBeGreaterThanOrEqual(0.8);
    }, 300_000);
  }
});
