import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameOnCpuAndWasm, seeded, useWasm } from '../backend/kernels/test-support';
import { type Adam, adam } from './adam';

beforeAll(useWasm);

/** tfjs types the map as variables; gradients are plain tensors, as `variableGrads` returns them. */
function gradients(map: tf.NamedTensorMap): Parameters<Adam['applyGradients']>[0] {
  return map as unknown as Parameters<Adam['applyGradients']>[0];
}

/** Five Adam steps on two variables (sizes 4·5·3 and 7); their values and moments after. */
function fiveSteps() {
  const a = tf.variable(seeded([4, 5, 3], 1));
  const b = tf.variable(seeded([7], 2));
  const optimizer = adam(0.05, 0.8, 0.95);
  for (let step = 0; step < 5; step++) {
    optimizer.applyGradients(
      gradients({
        [a.name]: seeded([4, 5, 3], 10 + step).mul(step + 1),
        [b.name]: seeded([7], 20 + step),
      }),
    );
  }
  const state = optimizer as unknown as {
    accumulatedFirstMoment: { variable: tf.Variable }[];
    accumulatedSecondMoment: { variable: tf.Variable }[];
  };
  const out = [
    a.clone(),
    b.clone(),
    ...state.accumulatedFirstMoment.map((s) => s.variable.clone()),
    ...state.accumulatedSecondMoment.map((s) => s.variable.clone()),
  ];
  optimizer.dispose();
  tf.dispose([a, b]);
  return out;
}

describe('Adam on wasm', () => {
  it("matches tfjs's AdamOptimizer on cpu: values and both moments after five steps", async () => {
    await expectSameOnCpuAndWasm(fiveSteps, 1e-5);
  });

  it('runs one kernel per variable and step', async () => {
    await tf.setBackend('wasm');
    const { kernelNames } = await tf.profile(() => {
      for (const t of fiveSteps()) t.dispose();
    });
    expect(kernelNames).toContain('TrainyardAdamUpdate');
    expect(kernelNames).not.toContain('Sqrt');
  });

  it("saves as tfjs's Adam: same class name and weight names", async () => {
    const v = tf.variable(tf.ones([2]), true, 'w');
    const optimizer = adam(0.1);
    optimizer.applyGradients(gradients({ w: tf.ones([2]) }));
    expect(optimizer.getClassName()).toBe('Adam');
    const names = (await optimizer.getWeights()).map((w) => w.name);
    expect(names).toEqual(['iter', 'w/m', 'w/v']);
    optimizer.dispose();
    v.dispose();
  });
});
