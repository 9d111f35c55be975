import { BadRequestError, Trainyard } from '@trainyard/sdk';
import { digitPng, makeZip, mnistDigits } from '@trainyard/testing';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisDataset } from '../jobs/support';
import { body, startTestApi, type TestApi } from '../support/api';

// POST /v1/datasets/{id}/augmentation-preview over real HTTP on the real S3 endpoint: a few of the
// dataset's own images, augmented by the trainer's code, as PNG data URLs.

let api: TestApi;
let digits: string;
let iris: string;
const SIZE = 28;

beforeAll(async () => {
  api = await startTestApi();
  const samples = mnistDigits([3, 4, 7], 4);
  const pngs = await Promise.all(samples.map(digitPng));
  const zip = makeZip(samples.map((d, i) => ({ name: `${d.label}/${i}.png`, data: pngs[i]! })));
  const created = await body(
    await api.call('/v1/datasets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'digits',
        task: 'image_classification',
        format: 'image_folder_zip',
      }),
    }),
  );
  digits = created.id;
  expect((await api.call(`/v1/datasets/${digits}/file`, { method: 'PUT', body: zip })).status).toBe(
    200,
  );
  const done = await body(await api.call(`/v1/datasets/${digits}/complete`, { method: 'POST' }));
  expect(done.status).toBe('ready');
  iris = await irisDataset(api.call);
}, 60_000);
afterAll(() => api?.close());

function preview(id: string, request: unknown, call = api.call) {
  return call(`/v1/datasets/${id}/augmentation-preview`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
}

/** A data URL's PNG as grey values (the red channel), row by row. */
function grey(url: string): number[] {
  expect(url).toMatch(/^data:image\/png;base64,/);
  const png = decode(Buffer.from(url.split(',')[1]!, 'base64'));
  expect([png.width, png.height, png.channels]).toEqual([SIZE, SIZE, 3]);
  return Array.from({ length: SIZE * SIZE }, (_, i) => png.data[i * 3]!);
}

const mirror = (pixels: number[]) =>
  pixels.map((_, i) => pixels[Math.floor(i / SIZE) * SIZE + (SIZE - 1 - (i % SIZE))]!);
const differs = (a: number[], b: number[]) => a.filter((v, i) => Math.abs(v - b[i]!) > 8).length;

describe('augmentation preview', () => {
  it('shows samples spread over the classes; without augmentation each variant is the original', async () => {
    const res = await preview(digits, { size: SIZE });
    expect(res.status).toBe(200);
    const answer = await body(res);
    expect(answer).toMatchObject({ object: 'augmentation_preview', dataset: digits, size: SIZE });
    expect(answer.augmentation).toEqual({
      flip_horizontal: false,
      flip_vertical: false,
      rotation_degrees: 0,
      translate: 0,
      zoom: 0,
      brightness: 0,
      contrast: 0,
      downscale: 0,
    });
    expect(answer.data.map((s: { label: string }) => s.label)).toEqual(['3', '4', '7', '3']);
    for (const sample of answer.data) {
      expect(sample.augmented).toHaveLength(3);
      for (const variant of sample.augmented) expect(grey(variant)).toEqual(grey(sample.original));
    }
    // The original is the dataset's own image: a digit, dark background, some bright strokes.
    const first = grey(answer.data[0].original);
    expect(first.filter((v) => v > 128).length).toBeGreaterThan(40);
    expect(first.filter((v) => v < 32).length).toBeGreaterThan(400);
  });

  it('flips horizontally: each variant is the original or its exact mirror, both drawn', async () => {
    const answer = await body(
      await preview(digits, {
        augmentation: { flip_horizontal: true },
        samples: 6,
        variants: 4,
        size: SIZE,
      }),
    );
    let flipped = 0;
    let kept = 0;
    for (const sample of answer.data) {
      const original = grey(sample.original);
      for (const variant of sample.augmented.map(grey)) {
        if (differs(variant, original) === 0) kept++;
        else {
          expect(differs(variant, mirror(original))).toBe(0);
          flipped++;
        }
      }
    }
    expect(flipped).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(0);
  });

  it('rotates and brightens as asked, the same way for the same seed and another for another', async () => {
    const request = { augmentation: { rotation_degrees: 45, brightness: 0.3 }, size: SIZE };
    const a = await body(await preview(digits, request));
    const again = await body(await preview(digits, request));
    const other = await body(await preview(digits, { ...request, seed: 7 }));
    const variant = (answer: typeof a) => grey(answer.data[0].augmented[0]);
    expect(variant(again)).toEqual(variant(a));
    expect(differs(variant(other), variant(a))).toBeGreaterThan(20);
    for (const sample of a.data) {
      for (const v of sample.augmented) {
        const pixels = grey(v);
        expect(differs(pixels, grey(sample.original))).toBeGreaterThan(20);
        // Still a digit: bright strokes on a darker ground, not one flat fill.
        expect(Math.max(...pixels) - Math.min(...pixels)).toBeGreaterThan(150);
      }
    }
  });

  it('refuses an augmentation the job spec would refuse, naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ augmentation: { rotation_degrees: 500 } }, 'body.augmentation.rotation_degrees'],
      [{ augmentation: { flip: true } }, 'body.augmentation.flip'],
      [{ augmentation: { zoom: 'lots' } }, 'body.augmentation.zoom'],
      [{ samples: 50 }, 'body.samples'],
      [{ size: 224 }, 'body.size'],
    ];
    for (const [request, param] of cases) {
      const res = await preview(digits, request);
      expect(res.status, JSON.stringify(request)).toBe(400);
      const { error } = await body(res);
      expect(error.param, JSON.stringify(error)).toBe(param);
    }
  });

  it('answers 422 for a table dataset, 404 for a missing one or another project’s', async () => {
    const table = await preview(iris, {});
    expect(table.status).toBe(422);
    expect((await body(table)).error.code).toBe('not_an_image_dataset');
    expect((await preview('ds_doesnotexist', {})).status).toBe(404);
    const other = await api.runtime.apiKeys.create('b', { project: 'team-b', role: 'member' });
    const asOther = (path: string, init: RequestInit = {}) =>
      fetch(`${api.url}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${other.secret}`, ...init.headers },
      });
    const foreign = await preview(digits, {}, asOther);
    expect(foreign.status).toBe(404);
    expect((await body(foreign)).error.code).toBe('dataset_not_found');
  });

  it('is a member route: an inference key is refused', async () => {
    const key = await api.runtime.apiKeys.create('infer-only', { role: 'inference' });
    const res = await preview(digits, {}, (path, init = {}) =>
      fetch(`${api.url}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${key.secret}`, ...init.headers },
      }),
    );
    expect(res.status).toBe(403);
  });

  it('is in the SDK: datasets.previewAugmentation', async () => {
    const { secret } = await api.runtime.apiKeys.create('sdk');
    const ty = new Trainyard({ baseUrl: api.url, apiKey: secret });
    const answer = await ty.datasets.previewAugmentation(digits, {
      augmentation: { zoom: 0.3 },
      samples: 2,
      variants: 1,
      size: SIZE,
    });
    expect(answer.data.map((s) => s.augmented.length)).toEqual([1, 1]);
    expect(answer.augmentation.zoom).toBe(0.3);
    const error = await ty.datasets
      .previewAugmentation(digits, { augmentation: { zoom: 2 } })
      .catch((e) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.param).toBe('body.augmentation.zoom');
  });
});
