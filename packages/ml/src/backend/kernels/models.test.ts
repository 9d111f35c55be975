import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameOnCpuAndWasm, seeded, useWasm } from './test-support';

beforeAll(useWasm);

const labels = (n: number, classes: number) =>
  tf.oneHot(
    tf.tensor1d(
      Array.from({ length: n }, (_, i) => i % classes),
      'int32',
    ),
    classes,
  );

/** Multi-head self-attention from matMul and softmax, with a residual and a layer norm. */
class SelfAttention extends tf.layers.Layer {
  static className = 'TestSelfAttention';
  private wq!: tf.LayerVariable;
  private wo!: tf.LayerVariable;
  constructor(
    private readonly heads: number,
    private readonly dim: number,
  ) {
    super({});
  }
  override build(): void {
    this.wq = this.addWeight(
      'wq',
      [this.dim, 3 * this.dim],
      'float32',
      tf.initializers.glorotUniform({ seed: 1 }),
    );
    this.wo = this.addWeight(
      'wo',
      [this.dim, this.dim],
      'float32',
      tf.initializers.glorotUniform({ seed: 2 }),
    );
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [b, t, d] = x.shape;
      const h = this.heads;
      const qkv = tf.matMul(x.reshape([b * t, d]), this.wq.read()).reshape([b, t, 3, h, d / h]);
      const [q, k, v] = tf.unstack(qkv.transpose([2, 0, 3, 1, 4])) as tf.Tensor4D[];
      const weights = tf.softmax(tf.matMul(q!, k!, false, true).div(Math.sqrt(d / h)));
      const mixed = tf
        .matMul(weights, v!)
        .transpose([0, 2, 1, 3])
        .reshape([b * t, d]);
      const y = x.add(tf.matMul(mixed, this.wo.read()).reshape([b, t, d]));
      const { mean, variance } = tf.moments(y, -1, true);
      return y.sub(mean).div(variance.add(1e-5).sqrt());
    });
  }
  override getConfig() {
    return { ...super.getConfig(), heads: this.heads, dim: this.dim };
  }
}

const kinds: Record<string, () => { model: tf.LayersModel; x: tf.Tensor; y: tf.Tensor }> = {
  'CNN: conv, batch norm, max pool, dropout, dense': () => ({
    model: tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [10, 10, 1], filters: 4, kernelSize: 3, padding: 'same' }),
        tf.layers.batchNormalization(),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2 }),
        tf.layers.dropout({ rate: 0.25 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    }),
    x: seeded([6, 10, 10, 1], 1),
    y: labels(6, 3),
  }),
  'residual net with global average pooling': () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const conv = tf.layers.conv2d({
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
    });
    const sum = tf.layers.add().apply([input, conv.apply(input) as tf.SymbolicTensor]);
    const pooled = tf.layers.globalAveragePooling2d({}).apply(sum as tf.SymbolicTensor);
    const out = tf.layers
      .dense({ units: 3, activation: 'softmax' })
      .apply(pooled as tf.SymbolicTensor);
    return {
      model: tf.model({ inputs: input, outputs: out as tf.SymbolicTensor }),
      x: seeded([4, 8, 8, 3], 2),
      y: labels(4, 3),
    };
  },
  'depthwise separable CNN': () => ({
    model: tf.sequential({
      layers: [
        tf.layers.depthwiseConv2d({ inputShape: [8, 8, 2], kernelSize: 3, depthMultiplier: 2 }),
        tf.layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    }),
    x: seeded([4, 8, 8, 2], 3),
    y: labels(4, 3),
  }),
  'embedding, LSTM and bidirectional GRU': () => ({
    model: tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 5 }),
        tf.layers.lstm({ units: 4, returnSequences: true }),
        tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4 }) as tf.RNN }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    }),
    x: tf.tensor2d([
      [1, 2, 3, 4, 5],
      [3, 4, 5, 6, 7],
      [0, 0, 1, 2, 19],
      [5, 5, 5, 5, 5],
    ]),
    y: labels(4, 3),
  }),
  'embedding and multi-head self-attention': () => ({
    model: tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 20, outputDim: 8, inputLength: 5 }),
        new SelfAttention(2, 8),
        tf.layers.globalAveragePooling1d({}),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    }),
    x: tf.tensor2d([
      [1, 2, 3, 4, 5],
      [3, 4, 5, 6, 7],
      [0, 0, 1, 2, 19],
      [5, 5, 5, 5, 5],
    ]),
    y: labels(4, 3),
  }),
};

describe('models of every kind train on wasm', () => {
  for (const [name, make] of Object.entries(kinds)) {
    it(`${name}: fits a batch, and its weight gradients match cpu`, async () => {
      await tf.setBackend('wasm');
      const { model, x, y } = make();
      // Gradients of the loss in training mode, on both backends from the same weights. Dropout
      // draws different masks per backend, so it is off for the comparison and back on to fit.
      const dropouts = model.layers.filter((l) => l.getClassName() === 'Dropout') as unknown as {
        rate: number;
      }[];
      const rates = dropouts.map((d) => d.rate);
      for (const d of dropouts) d.rate = 0;
      await expectSameOnCpuAndWasm(() => {
        const { grads } = tf.variableGrads(() =>
          tf.losses.softmaxCrossEntropy(y, (model.apply(x, { training: true }) as tf.Tensor).log()),
        );
        return Object.values(grads);
      }, 2e-4);
      dropouts.forEach((d, i) => {
        d.rate = rates[i]!;
      });
      await tf.setBackend('wasm');
      const before = model.getWeights().map((w) => w.dataSync().slice());
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
      const history = await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
      expect(Number.isFinite(history.history.loss?.[0] as number)).toBe(true);
      const after = model.getWeights().map((w) => w.dataSync());
      const unchanged = model.weights.filter(
        (w, i) => w.trainable && after[i]!.every((v, k) => v === before[i]![k]),
      );
      expect(unchanged.map((w) => w.name)).toEqual([]);
    });
  }
});
