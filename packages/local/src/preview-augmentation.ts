/**
 * Writes a PNG grid of augmented samples, so a person can see what an augmentation spec does:
 * one row per image, the original first, then `--variants` random augmentations of it.
 *
 *   npm run preview:augmentation -- --dataset ds_… --rotation 20 --translate 0.1 --out grid.png
 *   npm run preview:augmentation -- --demo --rotation 20 --zoom 0.2   (MNIST digits, no platform needed)
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { augmentBatch, loadRawDataset, selectBackend } from '@trainyard/ml';
import { imagesToTensor } from '@trainyard/predict';
import { decodeImage } from '@trainyard/predict/sharp';
import {
  augmentationSchema,
  type ImageInput,
  loadConfigOrExit,
  mulberry32,
  resolveAugmentation,
  ValidationError,
} from '@trainyard/shared';
import sharp from 'sharp';
import { openLocalRuntime } from './open-runtime';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    demo: { type: 'boolean', default: false },
    out: { type: 'string', default: 'augmentation.png' },
    samples: { type: 'string', default: '6' },
    variants: { type: 'string', default: '8' },
    size: { type: 'string', default: '64' },
    seed: { type: 'string', default: '1' },
    'flip-horizontal': { type: 'boolean', default: false },
    'flip-vertical': { type: 'boolean', default: false },
    rotation: { type: 'string', default: '0' },
    translate: { type: 'string', default: '0' },
    zoom: { type: 'string', default: '0' },
    brightness: { type: 'string', default: '0' },
    contrast: { type: 'string', default: '0' },
    downscale: { type: 'string', default: '0' },
  },
});

const augmentation = augmentationSchema.parse({
  flip_horizontal: values['flip-horizontal'],
  flip_vertical: values['flip-vertical'],
  rotation_degrees: Number(values.rotation),
  translate: Number(values.translate),
  zoom: Number(values.zoom),
  brightness: Number(values.brightness),
  contrast: Number(values.contrast),
  downscale: Number(values.downscale),
});
const spec = resolveAugmentation(augmentation);
const samples = Number(values.samples);
const variants = Number(values.variants);
const size = Number(values.size);

/** Encoded images (PNG/JPEG/WebP bytes) to preview. */
async function sourceImages(): Promise<Uint8Array[]> {
  if (values.demo || !values.dataset) {
    if (!values.demo)
      process.stderr.write('No --dataset given: previewing MNIST digits (--demo).\n');
    const mnist = createRequire(import.meta.url)('mnist') as Array<{ get(i: number): number[] }>;
    return Promise.all(
      Array.from({ length: samples }, (_, i) =>
        sharp(Buffer.from(Uint8Array.from(mnist[i % 10]!.get(i), (v) => v * 255)), {
          raw: { width: 28, height: 28, channels: 1 },
        })
          .png()
          .toBuffer(),
      ),
    );
  }
  const runtime = await openLocalRuntime(loadConfigOrExit(), 'preview');
  try {
    const raw = await loadRawDataset(runtime.storage, values.dataset, 'image_classification');
    if (raw.kind !== 'images')
      throw new ValidationError(`--dataset ${values.dataset} is not an image dataset`, {
        param: '--dataset',
      });
    const step = Math.max(1, Math.floor(raw.images.length / samples));
    return Array.from(
      { length: Math.min(samples, raw.images.length) },
      (_, i) => raw.images[i * step]!,
    );
  } finally {
    await runtime.close();
  }
}

await selectBackend({ preference: 'auto' });
const input: ImageInput = {
  kind: 'image',
  height: size,
  width: size,
  channels: 3,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
};
const images = await sourceImages();
const pixels = new Uint8Array(images.length * size * size * 3);
for (const [i, bytes] of images.entries())
  pixels.set(await decodeImage(bytes, input), i * size * size * 3);
const random = mulberry32(Number(values.seed));
const pad = 4;
const cells: Array<{ input: Buffer; left: number; top: number }> = [];
const originals = imagesToTensor(pixels, images.length, input);
for (let v = 0; v <= variants; v++) {
  const batch = v === 0 ? originals : augmentBatch(originals, spec, input, random);
  // Back from normalized floats to bytes for the picture.
  const bytes = tf.tidy(() =>
    batch.mul(0.5).add(0.5).clipByValue(0, 1).mul(255).round().toInt().dataSync(),
  );
  for (let i = 0; i < images.length; i++) {
    const cell = Buffer.from(
      Uint8Array.from(bytes.subarray(i * size * size * 3, (i + 1) * size * size * 3)),
    );
    cells.push({
      input: await sharp(cell, { raw: { width: size, height: size, channels: 3 } })
        .png()
        .toBuffer(),
      left: pad + v * (size + pad),
      top: pad + i * (size + pad),
    });
  }
  if (v > 0) batch.dispose();
}
await sharp({
  create: {
    width: pad + (variants + 1) * (size + pad),
    height: pad + images.length * (size + pad),
    channels: 3,
    background: { r: 255, g: 255, b: 255 },
  },
})
  .composite(cells)
  .png()
  .toFile(values.out!);
process.stdout.write(
  `wrote ${values.out}: ${images.length} images × (original + ${variants} augmentations) with ${JSON.stringify(augmentation)}\n`,
);
