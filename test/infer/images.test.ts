import type { RawDataset } from '@trainyard/ml';
import type { JobSpec } from '@trainyard/shared';
import { digitPng, makeZip, mnistDigits } from '@trainyard/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxScoreDifference, trainerOutputs } from './parity';
import {
  type InferServer,
  isolatedRuntime,
  json,
  readyDataset,
  startInfer,
  type TestRuntime,
  trainModel,
} from './support';

// A small CNN on real MNIST digits (0, 1, 2), trained once by the real trainer at 16×16.

let runtime: TestRuntime;
let infer: InferServer;
let model: { modelId: string; spec: JobSpec };
let pngs: Buffer[];
const digits = mnistDigits([0, 1, 2], 20);

beforeAll(async () => {
  runtime = await isolatedRuntime('ty-infer-img');
  pngs = await Promise.all(digits.map(digitPng));
  const zip = makeZip(
    digits.map((d, i) => ({ name: `digits/${d.label}/${i}.png`, data: pngs[i]! })),
  );
  const dataset = await readyDataset(
    runtime,
    { name: 'digits', task: 'image_classification', format: 'image_folder_zip' },
    zip,
  );
  model = await trainModel(runtime, dataset, {
    architecture: { type: 'cnn', input_size: [16, 16], filters: [8] },
    hyperparameters: { epochs: 2, batch_size: 16, early_stopping: null },
  });
  infer = await startInfer(runtime);
}, 90_000);
afterAll(async () => {
  await infer?.close();
  await runtime?.dispose();
});

function multipart(files: Uint8Array[], fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [i, f] of files.entries())
    form.append('image', new Blob([f], { type: 'image/png' }), `${i}.png`);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}

type Answer = Array<Array<{ label: string; score: number }>>;
/** Same labels in the same order; scores equal up to float noise (batches of other sizes). */
function expectSame(actual: Answer, expected: Answer) {
  expect(actual.map((p) => p.map((c) => c.label))).toEqual(
    expected.map((p) => p.map((c) => c.label)),
  );
  for (const [i, p] of actual.entries()) {
    for (const [k, c] of p.entries()) expect(c.score).toBeCloseTo(expected[i]![k]!.score, 6);
  }
}

describe('image classification', () => {
  it('answers concurrent raw-body images in batches, each caller its own answer', async () => {
    const request = (i: number) =>
      infer.predict(model.modelId, {
        headers: { 'content-type': 'image/png' },
        body: pngs[(i * 7) % pngs.length],
        query: `top_k=${1 + (i % 3)}`,
      });
    const bodies = async (answers: Response[]) => {
      expect(answers.map((r) => r.status)).toEqual(Array(answers.length).fill(200));
      return Promise.all(answers.map(json));
    };
    const together = await bodies(
      await Promise.all(Array.from({ length: 32 }, (_, i) => request(i))),
    );
    for (const [i, body] of together.entries()) {
      const [alone] = await bodies([await request(i)]);
      // The same classes in the same order, the scores up to float noise (a convolution over a
      // batch may sum in another order).
      expectSame(body.predictions, alone!.predictions);
    }
  });

  it('answers the same for multipart files, a raw image body and base64 JSON', async () => {
    const three = [pngs[0]!, pngs[25]!, pngs[50]!];
    const res = await infer.predict(model.modelId, { body: multipart(three, { top_k: '2' }) });
    expect(res.status).toBe(200);
    const { model: id, predictions } = await json(res);
    expect(id).toBe(model.modelId);
    expect(predictions).toHaveLength(3);
    for (const p of predictions) expect(p).toHaveLength(2);

    const raw = await json(
      await infer.predict(model.modelId, {
        headers: { 'content-type': 'image/png' },
        body: three[1],
        query: 'top_k=2',
      }),
    );
    expectSame(raw.predictions, [predictions[1]]);

    const b64 = await json(
      await infer.predictJson(model.modelId, {
        inputs: [
          { image_base64: three[0]!.toString('base64') },
          { image_base64: `data:image/png;base64,${three[2]!.toString('base64')}` },
        ],
        top_k: 2,
      }),
    );
    expectSame(b64.predictions, [predictions[0], predictions[2]]);
  });

  it('takes an RGB JPEG of another size, as training would have', async () => {
    const jpeg = await sharp(pngs[0]!).resize(40, 40).toColourspace('srgb').jpeg().toBuffer();
    const res = await infer.predict(model.modelId, {
      headers: { 'content-type': 'image/jpeg' },
      body: jpeg,
    });
    expect(res.status).toBe(200);
    expect((await json(res)).predictions[0]).toHaveLength(3);
  });

  it('gives the trainer’s evaluation probabilities on the held-out split (parity)', async () => {
    const { raw, pre, validation, outputs } = await trainerOutputs(
      runtime,
      model.modelId,
      model.spec,
    );
    const images = raw as RawDataset & { kind: 'images' };
    expect(validation.length).toBeGreaterThanOrEqual(10);
    const res = await infer.predict(model.modelId, {
      body: multipart(
        validation.map((i) => images.images[i]!),
        { top_k: '3' },
      ),
    });
    expect(res.status).toBe(200);
    expect(maxScoreDifference(pre, (await json(res)).predictions, outputs)).toBeLessThan(1e-5);
  });

  it('answers 4xx for unusable images, naming the expected input, and keeps serving', async () => {
    const id = model.modelId;
    const spec =
      'this model expects an image (JPEG, PNG, WebP, GIF, BMP, TIFF or AVIF, resized to 16×16 grey)';
    const huge = await sharp({
      create: { width: 6000, height: 5000, channels: 3, background: '#808080' },
    })
      .png()
      .toBuffer();
    // A PDF: a format with a name, and no decoder here.
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n');
    const truncated = pngs[0]!.subarray(0, 60);
    const cases: Array<[RequestInit & { query?: string }, number, string, ...string[]]> = [
      [
        { body: multipart([Buffer.from('not an image at all')]) },
        422,
        'undecodable_image',
        'image[0]',
        spec,
      ],
      [
        { headers: { 'content-type': 'image/png' }, body: truncated },
        422,
        'undecodable_image',
        'body: received a file that is a PNG image that is truncated or corrupt',
        spec,
      ],
      [
        { body: multipart([pdf]) },
        422,
        'unsupported_image_format',
        'image[0]: received a file that is PDF (a document), which this platform cannot decode',
        spec,
      ],
      [
        { headers: { 'content-type': 'image/png' }, body: huge },
        422,
        'image_too_large',
        '6000×5000',
        spec,
      ],
      [
        {
          headers: { 'content-type': 'application/json' },
          body: '{"inputs":[{"image_base64":"%%%"}]}',
        },
        400,
        'invalid_input',
        'inputs[0].image_base64',
        spec,
      ],
      [
        {
          headers: { 'content-type': 'application/json' },
          body: '{"inputs":[{"sepal_length":5.1}]}',
        },
        400,
        'invalid_input',
        'inputs[0]',
        spec,
      ],
      [
        { body: multipart([], { top_k: '1' }) },
        400,
        'invalid_request',
        'expected one or more form fields `image`',
      ],
      [
        { body: multipart([pngs[0]!], { labels: 'x' }) },
        400,
        'invalid_request',
        'Unknown form field "labels"',
      ],
      [
        { headers: { 'content-type': 'image/png' }, body: pngs[0], query: 'top_k=many' },
        400,
        'invalid_request',
        'top_k',
      ],
    ];
    for (const [init, status, code, ...parts] of cases) {
      const res = await infer.predict(id, init);
      const body = await json(res);
      expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
      for (const part of parts) expect(body.error.message).toContain(part);
    }
    const ok = await infer.predict(id, { headers: { 'content-type': 'image/png' }, body: pngs[1] });
    expect(ok.status).toBe(200);
  });
});
