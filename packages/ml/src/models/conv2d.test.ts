import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameOnCpuAndWasm, seeded, useWasm } from '../backend/kernels/test-support';
import { Conv2D, conv2d } from './conv2d';

beforeAll(useWasm);

/** A first layer without bias or activation: its output and its kernel's gradient. */
function firstLayerStep(useBias: boolean, activation?: 'relu') {
  const layer = conv2d({
    filters: 5,
    kernelSize: 3,
    padding: 'same',
    useBias,
    ...(activation ? { activation } : {}),
    kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
  });
  const x = seeded([2, 6, 6, 3], 2);
  const dy = seeded([2, 6, 6, 5], 3);
  layer.build(x.shape);
  let y: tf.Tensor | undefined;
  const { grads } = tf.variableGrads(() => {
    y = tf.keep(layer.apply(x) as tf.Tensor);
    return y.mul(dy).sum() as tf.Scalar;
  });
  const out = [y!, ...layer.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name]!)];
  for (const w of layer.weights) w.dispose();
  return out;
}

describe('Conv2D on wasm', () => {
  it('matches tfjs-layers on cpu, with and without bias and activation', async () => {
    await expectSameOnCpuAndWasm(() => [
      ...firstLayerStep(false),
      ...firstLayerStep(true),
      ...firstLayerStep(true, 'relu'),
    ]);
  });

  it('computes no input gradient for a first layer without bias or activation', async () => {
    await tf.setBackend('wasm');
    const { kernelNames } = await tf.profile(() => {
      for (const t of firstLayerStep(false)) t.dispose();
    });
    expect(kernelNames).toContain('Conv2DBackpropFilter');
    expect(kernelNames).not.toContain('Conv2DBackpropInput');
  });

  it('saves as a plain Conv2D layer and loads back as this class', async () => {
    const model = tf.sequential({
      layers: [conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, useBias: false })],
    });
    const json = model.toJSON(null, false) as { config: { layers: { class_name: string }[] } };
    expect(json.config.layers.map((l) => l.class_name)).toEqual(['Conv2D']);
    const loaded = await tf.models.modelFromJSON({ modelTopology: json });
    expect(loaded.layers[0]).toBeInstanceOf(Conv2D);
    tf.dispose([model, loaded] as never);
  });
});
