import { loadPredictor, selectBackend } from '@trainyard/ml';
import {
  type ClassScore,
  checkpointsFromEvents,
  FEW_SHOT_IMAGE_DEFAULTS,
  JobEventLog,
  type JobSpec,
  keys,
  modelCardSchema,
  modelMetricsSchema,
} from '@trainyard/shared';
import { isolatedRuntime, makeZip } from '@trainyard/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyDataset, type TestRuntime, trainModel } from '../infer/support';

// Few-shot colour pictures with every default: 8 a class of circles, squares and triangles drawn
// in random colours, sizes and places on random backgrounds (rendered by sharp). Not digit-like
// and few-shot (≤ 20 a class), so the job trains a linear head on the built-in MobileNetV2 cut at
// block 10, on features computed once; on pictures it never saw, it beats the same job told to
// train the CNN from scratch.

let runtime: TestRuntime;
beforeAll(async () => {
  runtime = await isolatedRuntime('ty-default-transfer');
  await selectBackend({ preference: runtime.config.backend });
});
afterAll(() => runtime.dispose());

const SHAPES = ['circle', 'square', 'triangle'] as const;
type Shape = (typeof SHAPES)[number];

/** A seeded generator (mulberry32), so every run draws the same pictures. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function colour(next: () => number): string {
  return `rgb(${Math.floor(next() * 256)},${Math.floor(next() * 256)},${Math.floor(next() * 256)})`;
}

/** One 64×64 PNG of `shape`. */
function picture(shape: Shape, next: () => number): Promise<Buffer> {
  const r = 10 + next() * 12;
  const cx = r + next() * (64 - 2 * r);
  const cy = r + next() * (64 - 2 * r);
  const fill = colour(next);
  const body =
    shape === 'circle'
      ? `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fill}"/>`
      : shape === 'square'
        ? `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" fill="${fill}"/>`
        : `<polygon points="${cx},${cy - r} ${cx - r},${cy + r} ${cx + r},${cy + r}" fill="${fill}"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="${colour(next)}"/>${body}</svg>`;
  return sharp(Buffer.from(svg)).removeAlpha().png().toBuffer();
}

async function pictures(perShape: number, seed: number) {
  const next = random(seed);
  const out: Array<{ shape: Shape; png: Buffer }> = [];
  for (let i = 0; i < perShape; i++)
    for (const shape of SHAPES) out.push({ shape, png: await picture(shape, next) });
  return out;
}

async function heldOutAccuracy(modelId: string, held: Awaited<ReturnType<typeof pictures>>) {
  const predictor = await loadPredictor(runtime.storage, modelId);
  const answers = await predictor.predict(
    { form: 'images', images: held.map((p) => ({ bytes: p.png, param: 'image' })) },
    { top_k: 1 },
  );
  const right = answers.filter((a, i) => (a[0] as ClassScore).label === held[i]!.shape);
  return right.length / held.length;
}

describe('an image job with every default, on 8 colour pictures a class', () => {
  it("trains a linear head on the built-in base's cached features and beats a CNN from scratch on held-out pictures", async () => {
    const train = await pictures(8, 1);
    const dataset = await readyDataset(
      runtime,
      { name: 'shapes', task: 'image_classification', format: 'image_folder_zip' },
      makeZip(train.map((p, i) => ({ name: `${p.shape}/${i}.png`, data: p.png }))),
    );
    expect(dataset.report?.stats?.images?.channels).toEqual({ '3': 24 });
    const request = { seed: 1, validation_split: 0.25 };

    const transfer = await trainModel(runtime, dataset, request);
    const spec: JobSpec = transfer.spec;
    expect(spec.base_model).toBe(FEW_SHOT_IMAGE_DEFAULTS.base_model);
    expect(spec.architecture).toMatchObject({
      type: 'transfer',
      cut_layer: 'features',
      input_size: [...FEW_SHOT_IMAGE_DEFAULTS.input_size],
      trainable_base_layers: 0,
      head: { units: [] },
    });
    const events = await new JobEventLog(runtime.storage, 'test').list(spec.id);
    // Every picture once through the base, pooled to its 1,152 features; the linear head
    // trains all its epochs on them (no early stopping), and the base is never unfrozen.
    expect(events.find((e) => e.type === 'features.cached')?.data).toMatchObject({
      examples: 24,
      shape: [1152],
    });
    expect(events.filter((e) => e.type === 'epoch.completed')).toHaveLength(
      FEW_SHOT_IMAGE_DEFAULTS.epochs,
    );
    expect(events.some((e) => e.type === 'early_stopping' || e.type === 'fine_tune.started')).toBe(
      false,
    );
    // A checkpoint a epoch, each the whole model, the frozen base too: only the newest three stay
    // in the store (100 of them took 1.5 GB), and the job's checkpoint list names those.
    const stored = await runtime.storage.listPage(keys.jobCheckpoints(spec.id), { delimiter: '/' });
    const newest = ['0098', '0099', '0100'].map((n) => `train-epoch-${n}`);
    expect(stored.prefixes.map((p) => p.split('/').at(-2))).toEqual(newest);
    expect(checkpointsFromEvents(events).map((c) => c.name)).toEqual(newest);
    // Then trained again from the start on all 24 pictures (hyperparameters.refit, on for
    // few-shot pictures): that model is published; the validation metrics are the first
    // model's, on the 6 pictures (2 a class) it did not train on.
    const refit = { examples: 24, epochs: FEW_SHOT_IMAGE_DEFAULTS.epochs, fine_tune_epochs: 0 };
    expect(spec.hyperparameters.refit).toBe(true);
    expect(events.find((e) => e.type === 'refit.completed')?.data).toMatchObject(refit);
    const file = (name: string) => keys.modelFile(transfer.modelId, name);
    expect((await runtime.storage.getJson(file('card.json'), modelCardSchema)).refit).toEqual(
      refit,
    );
    const metrics = await runtime.storage.getJson(file('metrics.json'), modelMetricsSchema);
    expect(metrics).toMatchObject({ split: 'validation', examples: 6 });
    // The published model's scores for those 6 pictures are not the ones the metrics came from.
    const validated = new TextDecoder()
      .decode(await runtime.storage.getBytes(keys.modelPredictions(transfer.modelId, 'validation')))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { reference: { path: string }; scores: number[] });
    expect(validated).toHaveLength(6);
    const published = await loadPredictor(runtime.storage, transfer.modelId);
    const again = await published.predict(
      {
        form: 'images',
        images: validated.map((v) => ({
          bytes: train[Number(v.reference.path.split('/')[1]!.split('.')[0])]!.png,
          param: 'image',
        })),
      },
      { top_k: 3 },
    );
    const gap = Math.max(
      ...validated.map((v, i) => {
        const scores = again[i] as ClassScore[];
        return Math.max(
          ...metrics.labels!.map((label, k) =>
            Math.abs(scores.find((s) => s.label === label)!.score - v.scores[k]!),
          ),
        );
      }),
    );
    expect(gap).toBeGreaterThan(1e-3);

    const scratch = await trainModel(runtime, dataset, {
      ...request,
      architecture: { type: 'cnn' },
    });
    expect(scratch.spec.base_model).toBeNull();

    const held = await pictures(20, 2);
    const ours = await heldOutAccuracy(transfer.modelId, held);
    const cnn = await heldOutAccuracy(scratch.modelId, held);
    console.log(`held-out accuracy: default (transfer) ${ours}, cnn from scratch ${cnn}`);
    expect(ours).toBeGreaterThan(cnn + 0.15);
  }, 180_000);
});
