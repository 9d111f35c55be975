import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasm } from '../backend/kernels/test-support';
import { seedRandom } from '../train/seed';
import { Dropout, dropout } from './dropout';

beforeAll(useWasm);

describe('Dropout on wasm', () => {
  it('drops `rate` of the values, scales the rest by 1/(1 − rate), and passes gradients alike', async () => {
    await tf.setBackend('wasm');
    const layer = dropout({ rate: 0.25 });
    const x = tf.fill([64, 7, 7, 32], 2);
    const [y, dx] = tf.tidy(() => {
      const dydx = tf.valueAndGrad((v: tf.Tensor) =>
        (layer.apply(v, { training: true }) as tf.Tensor).sum(),
      );
      const { grad } = dydx(x);
      // The same mask in both: recompute y from the gradient (dx = mask).
      return [tf.keep(grad.mul(x)), tf.keep(grad)];
    });
    const values = await dx.data();
    const kept = values.filter((v) => v !== 0);
    expect(new Set(values)).toEqual(new Set([0, Math.fround(1 / 0.75)]));
    expect(kept.length / values.length).toBeGreaterThan(0.74);
    expect(kept.length / values.length).toBeLessThan(0.76);
    expect(Math.abs((await y.mean().data())[0]! - 2)).toBeLessThan(0.03);
    // Inference passes x through.
    expect(await (layer.apply(x, { training: false }) as tf.Tensor).data()).toEqual(await x.data());
    tf.dispose([x, y, dx]);
  });

  it('draws a fresh mask per call, repeatable from the seeded mask stream', async () => {
    const layer = dropout({ rate: 0.5 });
    const x = tf.ones([1000]);
    const mask = async () =>
      Array.from(await (layer.apply(x, { training: true }) as tf.Tensor).data());
    const random = Math.random;
    try {
      seedRandom(3);
      const first = await mask();
      const second = await mask();
      seedRandom(3);
      expect(await mask()).toEqual(first);
      expect(second).not.toEqual(first);
    } finally {
      Math.random = random;
    }
  });

  it('saves as a plain Dropout layer and loads back as this class', async () => {
    const model = tf.sequential({ layers: [dropout({ inputShape: [3], rate: 0.2 })] });
    const json = model.toJSON(null, false) as { config: { layers: { class_name: string }[] } };
    expect(json.config.layers.map((l) => l.class_name)).toEqual(['Dropout']);
    const loaded = await tf.models.modelFromJSON({ modelTopology: json });
    expect(loaded.layers[0]).toBeInstanceOf(Dropout);
  });
});
