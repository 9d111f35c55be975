import * as tf from '@tensorflow/tfjs';
// The trainer's evaluation path, imported by this test only: the package itself never imports it.
import {
  buildTableInput,
  buildTextInput,
  encodeDataset,
  evaluate,
  type RawDataset,
} from '@trainyard/ml';
import { type Preprocess, preprocessSchema } from '@trainyard/shared/portable';
import { digitPng, iris, mnistDigits, spamAndHam } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharpImageDecoder } from './decoders/sharp';
import { TransformerEncoderBlock } from './layers/attention';
import { Predictor } from './predictor';

// Parity with the trainer: on the same examples and the same model, `Predictor.predict` gives the
// scores the trainer's evaluation (`encodeDataset` + `evaluate`) computes, for rows, texts (through
// the custom attention layer) and images. Models are seeded, untrained: parity is about encoding.

const models: tf.LayersModel[] = [];
// Importing the trainer registers wasm first; both sides run on plain tfjs's cpu here.
beforeAll(() => tf.setBackend('cpu'));
afterAll(() => {
  for (const m of models) m.dispose();
});

function classifier(
  inputShape: number[],
  body: tf.layers.Layer[],
  classes: number,
  dtype = 'float32',
) {
  const input = tf.input({ shape: inputShape, dtype: dtype as tf.DataType });
  let x: tf.SymbolicTensor = input;
  for (const layer of body) x = layer.apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({
      units: classes,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }),
    })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  models.push(model);
  return model;
}

/** The largest difference between the predictor's scores and the trainer's output rows. */
async function worst(
  pre: Preprocess,
  predictor: Predictor,
  inputs: Parameters<Predictor['predict']>[0],
  outputs: Float32Array[],
) {
  const answers = await predictor.predict(inputs, { top_k: pre.labels!.length });
  let max = 0;
  for (const [i, answer] of answers.entries()) {
    for (const c of answer as Array<{ label: string; score: number }>)
      max = Math.max(max, Math.abs(c.score - outputs[i]![pre.labels!.indexOf(c.label)]!));
  }
  return max;
}

describe('Predictor and the trainer’s evaluation', () => {
  it('rows: iris, with strings written as numbers and a missing cell', async () => {
    const { header, rows } = iris();
    const names = header.slice(0, 4);
    const labels = [...new Set(rows.map((r) => String(r[4])))];
    const cells = rows.map((r, i) => (i === 3 ? [null, ...r.slice(1, 4)] : r.slice(0, 4)));
    const columns = names.map((name, k) => {
      const values = cells.map((r) => r[k]).filter((v): v is number => typeof v === 'number');
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
      return { name, type: 'numeric', mean, std } as never;
    });
    const pre = preprocessSchema.parse({
      version: 1,
      task: 'tabular_classification',
      input: buildTableInput(columns, 'species'),
      labels,
      target: null,
    });
    const raw = {
      kind: 'table',
      manifest: { columns: names.map((name) => ({ name })) },
      rows: cells,
      labels: Float32Array.from(rows, (r) => labels.indexOf(String(r[4]))),
    } as unknown as RawDataset;
    const model = classifier(
      [4],
      [
        tf.layers.dense({
          units: 8,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
      ],
      3,
    );
    const indices = rows.map((_, i) => i);
    const { outputs } = evaluate(model, await encodeDataset(raw, pre), indices);
    const inputs = cells.map((r, i) =>
      Object.fromEntries(names.map((n, k) => [n, i === 5 ? String(r[k]) : r[k]])),
    );
    expect(
      await worst(pre, new Predictor(model, pre), { form: 'json', inputs }, outputs),
    ).toBeLessThan(1e-6);
  });

  it('texts: spam and ham mails through the attention layer', async () => {
    const mails = spamAndHam(20);
    const texts = mails.map((m) => m.text);
    const labels = ['ham', 'spam'];
    const input = buildTextInput(texts, 300, 32);
    const pre = preprocessSchema.parse({
      version: 1,
      task: 'text_classification',
      input,
      labels,
      target: null,
    });
    const raw = {
      kind: 'texts',
      manifest: {},
      texts,
      labels: Int32Array.from(mails, (m) => labels.indexOf(m.label)),
    } as unknown as RawDataset;
    const model = classifier(
      [input.max_length],
      [
        tf.layers.embedding({
          inputDim: input.vocab.length + 2,
          outputDim: 8,
          embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 3 }),
        }),
        new TransformerEncoderBlock({ dim: 8, heads: 2, ff: 16, rate: 0 }),
        tf.layers.globalAveragePooling1d(),
      ],
      2,
      'int32',
    );
    const indices = texts.map((_, i) => i);
    const { outputs } = evaluate(model, await encodeDataset(raw, pre), indices);
    expect(
      await worst(pre, new Predictor(model, pre), { form: 'json', inputs: texts }, outputs),
    ).toBeLessThan(1e-5);
  });

  it('images: MNIST PNGs resized to 16×16 by sharp on both sides', async () => {
    const digits = mnistDigits([0, 1, 2], 6);
    const pngs = await Promise.all(digits.map(digitPng));
    const labels = ['0', '1', '2'];
    const pre = preprocessSchema.parse({
      version: 1,
      task: 'image_classification',
      input: { kind: 'image', width: 16, height: 16, channels: 1, mean: [0.13], std: [0.3] },
      labels,
      target: null,
    });
    const raw = {
      kind: 'images',
      manifest: {},
      images: pngs.map((p) => new Uint8Array(p)),
      labels: Int32Array.from(digits, (d) => labels.indexOf(String(d.label))),
      channels: Uint8Array.from(pngs, () => 1),
    } as unknown as RawDataset;
    const model = classifier(
      [16, 16, 1],
      [
        tf.layers.conv2d({
          filters: 4,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }),
        }),
        tf.layers.flatten(),
      ],
      3,
    );
    const indices = pngs.map((_, i) => i);
    const { outputs } = evaluate(model, await encodeDataset(raw, pre), indices);
    const predictor = new Predictor(model, pre, { imageDecoder: sharpImageDecoder });
    const images = pngs.map((bytes, i) => ({ bytes: new Uint8Array(bytes), param: `image[${i}]` }));
    expect(await worst(pre, predictor, { form: 'images', images }, outputs)).toBeLessThan(1e-5);
  });
});
