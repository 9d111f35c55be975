import * as tf from '@tensorflow/tfjs';
import { CNN_MAX_FLATTENED_SIDE } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';
import { buildCnn } from './cnn';

/** The shape of what the CNN's head flattens, without the batch dimension. */
function flattenedInput(model: tf.LayersModel): number[] {
  const flatten = model.layers.find((l) => l.getClassName() === 'Flatten')!;
  return (flatten.input as tf.SymbolicTensor).shape.slice(1) as number[];
}

describe('buildCnn', () => {
  it('flattens a small picture’s map as it is (28×28 digits: 7×7×64)', () => {
    const model = buildCnn({ inputShape: [28, 28, 1], classes: 10 });
    expect(flattenedInput(model)).toEqual([7, 7, 64]);
    expect(model.layers.some((l) => l.getClassName() === 'AveragePooling2D')).toBe(false);
    model.dispose();
  });

  it(`average-pools a larger map to at most ${CNN_MAX_FLATTENED_SIDE} on a side before the head`, () => {
    // 128×128 pictures: two stages leave 32×32×64 = 65,536 features, which made the head's dense
    // layer diverge at Adam's default rate on a few dozen pictures.
    const square = buildCnn({ inputShape: [128, 128, 3], classes: 6 });
    expect(flattenedInput(square)).toEqual([8, 8, 64]);
    const odd = buildCnn({ inputShape: [100, 60, 3], classes: 6 }); // 25×15 after two stages
    expect(flattenedInput(odd)).toEqual([7, 8, 64]);
    const y = odd.predict(tf.zeros([2, 100, 60, 3])) as tf.Tensor;
    expect(y.shape).toEqual([2, 6]);
    tf.dispose([y]);
    square.dispose();
    odd.dispose();
  });
});
