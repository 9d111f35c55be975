import * as tf from '@tensorflow/tfjs';
import { type Augmentation, type ImageInput, resolveAugmentation } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';
import { affine, augmentBatch } from './augment';

const INPUT: ImageInput = { kind: 'image', height: 5, width: 6, channels: 1, mean: [0], std: [1] };
const NONE: Augmentation = resolveAugmentation();

/** A `random` that returns the given values in turn. */
const scripted = (...values: number[]) => {
  let i = 0;
  return () => values[i++]!;
};

const image = () => tf.range(0, 30).reshape([1, 5, 6, 1]);

async function expectImage(actual: tf.Tensor, expected: tf.Tensor): Promise<void> {
  const [a, e] = await Promise.all([actual.array(), expected.array()]);
  expect(a).toEqual(e);
}

describe('augmentBatch', () => {
  it('flips horizontally, vertically or both, per image as drawn', async () => {
    const x = image();
    const flips = { ...NONE, flip_horizontal: true, flip_vertical: true };
    await expectImage(augmentBatch(x, flips, INPUT, scripted(0.1, 0.9)), tf.reverse(x, 2));
    await expectImage(augmentBatch(x, flips, INPUT, scripted(0.9, 0.1)), tf.reverse(x, 1));
    await expectImage(augmentBatch(x, flips, INPUT, scripted(0.1, 0.1)), tf.reverse(x, [1, 2]));
    await expectImage(augmentBatch(x, flips, INPUT, scripted(0.9, 0.9)), x);
  });

  it('flips every image of a batch it draws a flip for, not only the first', async () => {
    const x = tf.range(0, 60).reshape([2, 5, 6, 1]);
    const out = augmentBatch(x, { ...NONE, flip_horizontal: true }, INPUT, scripted(0.1, 0.1));
    await expectImage(out, tf.reverse(x, 2));
    const mixed = augmentBatch(x, { ...NONE, flip_horizontal: true }, INPUT, scripted(0.9, 0.1));
    await expectImage(mixed, tf.concat([x.slice([0], [1]), tf.reverse(x.slice([1], [1]), 2)]));
  });

  it('flips first, then warps: a flipped image rotated by 90°', async () => {
    const x = tf.range(0, 25).reshape([1, 5, 5, 1]);
    const input = { ...INPUT, height: 5, width: 5 };
    // Flip drawn (0.1), then rotation at the top of ±90° (1), no zoom or shift.
    const out = augmentBatch(
      x,
      { ...NONE, flip_horizontal: true, rotation_degrees: 90 },
      input,
      scripted(0.1, 1, 0.5, 0.5, 0.5),
    );
    const rotate = (t: tf.Tensor) =>
      tf.image.transform(
        t as tf.Tensor4D,
        tf.tensor2d([affine(Math.PI / 2, 1, 0, 0, 5, 5)]),
        'bilinear',
        'nearest',
      );
    const rotated = rotate(tf.reverse(x, 2));
    const [a, e] = [await out.data(), await rotated.data()];
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(e[i]!, 4);
    // And not the other order, which differs for a quarter turn.
    expect(Array.from(a)).not.toEqual(Array.from(await tf.reverse(rotate(x), 2).data()));
  });
});
