import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { expectSameOnCpuAndWasm, seeded } from '../backend/kernels/test-support';

type LstmArgs = Parameters<typeof tf.layers.lstm>[0];

/**
 * One training step through a recurrent layer: its output and the gradients of the input, kernel,
 * recurrent kernel and bias. On cpu the layer runs tfjs-layers' own per-step code (the reference).
 */
export function step(
  make: (args: LstmArgs) => tf.layers.Layer,
  shape: [number, number, number],
  args: Partial<LstmArgs>,
) {
  const layer = make({
    units: 6, // not a multiple of 4: the kernels' partial vectors
    kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    recurrentInitializer: tf.initializers.glorotUniform({ seed: 2 }),
    biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 3 }),
    ...args,
  });
  const x = tf.variable(seeded(shape, 4).mul(2));
  layer.build(shape);
  (layer as unknown as { built: boolean }).built = true; // RNN.build leaves it to apply()
  let y: tf.Tensor | undefined;
  const { grads } = tf.variableGrads(() => {
    y = tf.keep(layer.apply(x) as tf.Tensor);
    const dy = seeded(y.shape, 5);
    return y.mul(dy).sum() as tf.Scalar;
  });
  const weights = layer.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name]!);
  expect(weights.length).toBe(args.useBias === false ? 2 : 3);
  const out = [y!, grads[x.name]!, ...weights];
  for (const w of layer.weights) w.dispose();
  x.dispose();
  return out;
}

/**
 * The recurrent layer made by `make` (an LSTM or GRU of ours) against tfjs-layers on cpu: values
 * and gradients of the input and every weight, for sigmoid and hard-sigmoid gates, the last output
 * and whole sequences, going backwards without bias, more rows than one block of the weight
 * gradients and widths that are not multiples of 4 or 16.
 */
export function recurrentCasesAgreeWithCpu(make: (args: LstmArgs) => tf.layers.Layer): void {
  it('sigmoid gates, last output: values and gradients of x and every weight', async () => {
    await expectSameOnCpuAndWasm(() => step(make, [3, 7, 5], { recurrentActivation: 'sigmoid' }));
  });

  it("tfjs's default hard-sigmoid gates, whole sequence returned", async () => {
    await expectSameOnCpuAndWasm(() => step(make, [2, 9, 8], { returnSequences: true }));
  });

  it('going backwards without bias (the backward half of a bidirectional layer)', async () => {
    await expectSameOnCpuAndWasm(() =>
      step(make, [4, 5, 3], {
        recurrentActivation: 'sigmoid',
        goBackwards: true,
        useBias: false,
        returnSequences: true,
      }),
    );
  });

  it('more rows than one block of the weight gradients (5 × 14 = 70), odd widths', async () => {
    // 17 inputs and 9 units: two-row and one-row blocks, sixteen-, four- and one-column tails.
    await expectSameOnCpuAndWasm(() =>
      step(make, [5, 14, 17], { units: 9, recurrentActivation: 'sigmoid' }),
    );
  });

  it('a long sequence going backwards with hard-sigmoid gates, whole sequence returned', async () => {
    await expectSameOnCpuAndWasm(() =>
      step(make, [3, 45, 16], { units: 16, goBackwards: true, returnSequences: true }),
    );
  });
}
