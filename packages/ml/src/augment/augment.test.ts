import * as tf from '@tensorflow/tfjs';
import { type Augmentation, type ImageInput, resolveAugmentation } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';
import { affine, augmentBatch, augments } from './augment';

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

describe('augmentBatch: downscale', () => {
  it('replaces the drawn half of a batch by its f×f block averages enlarged back, and keeps the rest', async () => {
    // Two 8×8 images; f drawn at the top of 2..4 (downscale 0.75), image 0 chosen, image 1 not.
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const out = augmentBatch(x, { ...NONE, downscale: 0.75 }, INPUT, scripted(0.99, 0.1, 0.9));
    await expectImage(out.slice([1], [1]), x.slice([1], [1]));
    const low = (await out.slice([0], [1]).reshape([8, 8]).array()) as number[][];
    const pixels = (await x.slice([0], [1]).reshape([8, 8]).array()) as number[][];
    // 4×4 blocks: the centre of each block's 4×4 (pixel centres 1.5 from its edges) is the
    // block's mean after a bilinear enlargement with half-pixel centres; the image as a whole
    // keeps its mean and loses its detail.
    const blockMean = (by: number, bx: number) => {
      let sum = 0;
      for (let y = 0; y < 4; y++)
        for (let x = 0; x < 4; x++) sum += pixels[by * 4 + y]![bx * 4 + x]!;
      return sum / 16;
    };
    expect(low[0]![0]).toBeCloseTo(blockMean(0, 0), 5);
    expect(low[7]![7]).toBeCloseTo(blockMean(1, 1), 5);
    const total = (rows: number[][]) => rows.flat().reduce((a, b) => a + b, 0);
    expect(total(low)).toBeCloseTo(total(pixels), 3);
    const detail = (rows: number[][]) =>
      rows.flatMap((r) => r.slice(1).map((v, i) => Math.abs(v - r[i]!))).reduce((a, b) => a + b);
    expect(detail(low)).toBeLessThan(detail(pixels) / 3);
  });

  it('is off at 0 and counts as augmentation when on', async () => {
    const x = image();
    await expectImage(augmentBatch(x, NONE, INPUT, scripted()), x);
    expect(augments({ ...NONE, downscale: 0.5 })).toBe(true);
    expect(augments(NONE)).toBe(false);
  });
});
