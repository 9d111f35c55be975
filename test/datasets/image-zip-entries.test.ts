import { digitPng, makeZip, mnistDigits } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, startTestApi, type TestApi } from '../support/api';

// Messy image-folder zips over real HTTP on the real S3 endpoint: validation, the samples listing,
// one file and the augmentation preview read entries into classes by one rule, and decide "is an
// image" by one rule (the bytes, not the name).

let api: TestApi;
let pngs: Buffer[];
beforeAll(async () => {
  api = await startTestApi();
  pngs = await Promise.all(mnistDigits([3, 5], 3).map(digitPng));
}, 60_000);
afterAll(() => api?.close());

async function ready(zip: Buffer, spec: object = {}) {
  const created = await body(
    await api.call('/v1/datasets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'messy',
        task: 'image_classification',
        format: 'image_folder_zip',
        ...spec,
      }),
    }),
  );
  expect(
    (await api.call(`/v1/datasets/${created.id}/file`, { method: 'PUT', body: zip })).status,
  ).toBe(200);
  const done = await body(
    await api.call(`/v1/datasets/${created.id}/complete`, { method: 'POST' }),
  );
  expect(done.status, JSON.stringify(done.report)).toBe('ready');
  return done;
}

const samplesOf = async (id: string) =>
  (await body(await api.call(`/v1/datasets/${id}/samples?per_class=5`))).data;

const previewOf = (id: string) =>
  api.call(`/v1/datasets/${id}/augmentation-preview`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ samples: 4, size: 28 }),
  });

describe('image-folder zip entries', () => {
  it('trims class folder names: " Red /" is the class Red, one with Red/, and samples and the preview show it', async () => {
    const dataset = await ready(
      makeZip([
        { name: ' Red /a.png', data: pngs[0]! },
        { name: 'Red/b.png', data: pngs[1]! },
        { name: 'blue /c.png', data: pngs[3]! },
        { name: 'blue /d.png', data: pngs[4]! },
      ]),
    );
    expect(dataset.report.stats.classes).toEqual({ Red: 2, blue: 2 });
    expect(await samplesOf(dataset.id)).toEqual([
      { label: 'blue', paths: ['blue /c.png', 'blue /d.png'] },
      { label: 'Red', paths: [' Red /a.png', 'Red/b.png'] },
    ]);
    const file = await api.call(
      `/v1/datasets/${dataset.id}/files?path=${encodeURIComponent(' Red /a.png')}`,
    );
    expect(file.status).toBe(200);
    const preview = await previewOf(dataset.id);
    expect(preview.status).toBe(200);
    const shown = (await body(preview)).data.map((s: { label: string; path: string }) => [
      s.label,
      s.path,
    ]);
    expect(shown).toEqual([
      ['blue', 'blue /c.png'],
      ['Red', ' Red /a.png'],
      ['blue', 'blue /d.png'],
      ['Red', 'Red/b.png'],
    ]);
  });

  it('a merged near-duplicate folder (" red" into Red) still lists its images under the class', async () => {
    const dataset = await ready(
      makeZip([
        { name: 'Red/a.png', data: pngs[0]! },
        { name: 'Red/b.png', data: pngs[1]! },
        { name: ' red/c.png', data: pngs[2]! },
        { name: 'blue/d.png', data: pngs[3]! },
      ]),
      { merge_near_duplicate_labels: true },
    );
    expect(dataset.report.stats.classes).toEqual({ Red: 3, blue: 1 });
    expect(await samplesOf(dataset.id)).toEqual([
      { label: 'blue', paths: ['blue/d.png'] },
      { label: 'Red', paths: ['Red/a.png', 'Red/b.png', ' red/c.png'] },
    ]);
  });

  it('an image without an extension is an image everywhere; a text file named like one is nowhere', async () => {
    const dataset = await ready(
      makeZip([
        { name: 'red/r0', data: pngs[0]! },
        { name: 'red/r1', data: pngs[1]! },
        { name: 'red/notes', data: 'taken on a sunny day' },
        { name: 'blue/b0', data: pngs[3]! },
        { name: 'blue/b1.png', data: pngs[4]! },
      ]),
    );
    expect(dataset.report.stats.classes).toEqual({ blue: 2, red: 2 });
    expect(dataset.report.warnings.map((w: { where: string }) => w.where)).toContain('red/notes');
    expect(await samplesOf(dataset.id)).toEqual([
      { label: 'blue', paths: ['blue/b0', 'blue/b1.png'] },
      { label: 'red', paths: ['red/r0', 'red/r1'] },
    ]);
    const file = await api.call(`/v1/datasets/${dataset.id}/files?path=red/r0`);
    expect([file.status, file.headers.get('content-type')]).toEqual([200, 'image/png']);
    const preview = await previewOf(dataset.id);
    expect(preview.status).toBe(200);
    expect((await body(preview)).data.map((s: { path: string }) => s.path).sort()).toEqual([
      'blue/b0',
      'blue/b1.png',
      'red/r0',
      'red/r1',
    ]);
  });

  it('warns for a class folder with no images, naming it', async () => {
    const dataset = await ready(
      makeZip([
        { name: 'data/red/a.png', data: pngs[0]! },
        { name: 'data/blue/b.png', data: pngs[3]! },
        { name: 'data/green/', data: '' },
        { name: 'data/grey/readme.txt', data: 'nothing yet' },
      ]),
    );
    expect(dataset.report.stats.classes).toEqual({ blue: 1, red: 1 });
    const empty = dataset.report.warnings.filter(
      (w: { code: string }) => w.code === 'empty_class_folder',
    );
    expect(empty.map((w: { where: string }) => w.where)).toEqual(['data/green/', 'data/grey/']);
    expect(empty[0].message).toMatch(/data\/green\/ holds no images, so there is no class "green"/);
  });
});
