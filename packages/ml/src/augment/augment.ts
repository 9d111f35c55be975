import * as tf from '@tensorflow/tfjs';
import type { Augmentation, ImageInput } from '@trainyard/shared';

/** True when the spec asks for any augmentation at all. */
export function augments(a: Augmentation): boolean {
  return (
    a.flip_horizontal ||
    a.flip_vertical ||
    a.rotation_degrees > 0 ||
    a.translate > 0 ||
    a.zoom > 0 ||
    a.brightness > 0 ||
    a.contrast > 0 ||
    a.downscale > 0
  );
}

const uniform = (random: () => number, lo: number, hi: number) => lo + (hi - lo) * random();

/**
 * The projective transform (TensorFlow's 8-number form, output → input coordinates) of a rotation
 * by `theta` and a zoom by `scale` about the image centre, then a shift by (tx, ty) pixels.
 */
export function affine(
  theta: number,
  scale: number,
  tx: number,
  ty: number,
  height: number,
  width: number,
): number[] {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const cos = Math.cos(theta) / scale;
  const sin = Math.sin(theta) / scale;
  const ox = cx + tx;
  const oy = cy + ty;
  return [cos, sin, cx - cos * ox - sin * oy, -sin, cos, cy + sin * ox - cos * oy, 0, 0];
}

/**
 * `tf.image.transform` with one transform per image (`transforms`: n × 8 numbers). The cpu
 * backend's kernel (tfjs-backend-cpu 4.22) returns after the first image of a batch, leaving the
 * others at the fill value 0: there, each image is transformed on its own and the batch
 * reassembled.
 */
function transformEach(x: tf.Tensor4D, transforms: number[], n: number): tf.Tensor4D {
  if (n === 1 || tf.getBackend() !== 'cpu')
    return tf.image.transform(x, tf.tensor2d(transforms, [n, 8]), 'bilinear', 'nearest');
  const one = (i: number) =>
    tf.image.transform(
      x.slice([i, 0, 0, 0], [1, -1, -1, -1]),
      tf.tensor2d(transforms.slice(i * 8, i * 8 + 8), [1, 8]),
      'bilinear',
      'nearest',
    );
  return tf.concat(Array.from({ length: n }, (_, i) => one(i)));
}

/**
 * Half the images of `x` (drawn per image) replaced by a low-resolution copy: f×f blocks averaged
 * (`avgPool`, as a camera or a thumbnailer averages, where a plain bilinear shrink would skip
 * pixels and alias), then enlarged back to the input's size bilinearly. One factor f a batch,
 * drawn from 2 to ⌊1 / (1 − downscale)⌋ (at least 2).
 */
function downscaleSome(x: tf.Tensor4D, downscale: number, random: () => number): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const most = Math.max(2, Math.floor(1 / (1 - downscale)));
  const f = Math.min(2 + Math.floor(random() * (most - 1)), most);
  const chosen = Array.from({ length: n }, () => (random() < 0.5 ? 1 : 0));
  if (!chosen.includes(1)) return x;
  const low = tf.avgPool(x, [f, f], [f, f], 'same');
  const back = tf.image.resizeBilinear(low, [h, w], false, true);
  const mask = tf.tensor4d(chosen, [n, 1, 1, 1]);
  return x.add(back.sub(x).mul(mask)) as tf.Tensor4D;
}

/**
 * Random augmentation of a batch of normalized images, drawn per image from `random` (seeded by the
 * training loop, so runs repeat): flips and one affine warp for rotation, zoom and translation,
 * composed into a single projective transform per image (bilinear, edges extended), then
 * brightness and contrast. Used in training only. (Flips as their own reverse-and-select ops took
 * ~5 ms of ~10 per 64×28×28 batch on wasm, more than the whole warp.)
 */
export function augmentBatch(
  xs: tf.Tensor,
  a: Augmentation,
  input: ImageInput,
  random: () => number,
): tf.Tensor {
  return tf.tidy(() => {
    const [n, h, w] = xs.shape as [number, number, number, number];
    let x = xs as tf.Tensor4D;
    const draws = (on: boolean) => Array.from({ length: n }, () => on && random() < 0.5);
    const flipX = a.flip_horizontal ? draws(true) : draws(false);
    const flipY = a.flip_vertical ? draws(true) : draws(false);
    const warps = a.rotation_degrees > 0 || a.translate > 0 || a.zoom > 0;
    if (warps || flipX.includes(true) || flipY.includes(true)) {
      const transforms: number[] = [];
      for (let i = 0; i < n; i++) {
        let m = [1, 0, 0, 0, 1, 0, 0, 0];
        if (warps) {
          const theta = (uniform(random, -a.rotation_degrees, a.rotation_degrees) * Math.PI) / 180;
          const scale = uniform(random, 1 - a.zoom, 1 + a.zoom);
          const tx = uniform(random, -a.translate, a.translate) * w;
          const ty = uniform(random, -a.translate, a.translate) * h;
          m = affine(theta, scale, tx, ty, h, w);
        }
        // The flip comes first on the image, so last on the coordinates the warp reads from.
        if (flipX[i]) m = [-m[0]!, -m[1]!, w - 1 - m[2]!, m[3]!, m[4]!, m[5]!, 0, 0];
        if (flipY[i]) m = [m[0]!, m[1]!, m[2]!, -m[3]!, -m[4]!, h - 1 - m[5]!, 0, 0];
        transforms.push(...m);
      }
      x = transformEach(x, transforms, n);
    }
    if (a.downscale > 0) x = downscaleSome(x, a.downscale, random);
    if (a.brightness > 0) {
      // +δ on the 0-1 pixel scale is +δ/std per channel once normalized.
      const deltas = tf.tensor4d(
        Array.from({ length: n }, () => uniform(random, -a.brightness, a.brightness)),
        [n, 1, 1, 1],
      );
      x = x.add(deltas.div(tf.tensor1d(input.std))) as tf.Tensor4D;
    }
    if (a.contrast > 0) {
      const factors = tf.tensor4d(
        Array.from({ length: n }, () => uniform(random, 1 - a.contrast, 1 + a.contrast)),
        [n, 1, 1, 1],
      );
      const mean = x.mean([1, 2, 3], true);
      x = x.sub(mean).mul(factors).add(mean) as tf.Tensor4D;
    }
    return x;
  });
}
