// The tensor half of the augmentation preview, loaded on the first preview (see
// `AugmentationPreview`): TensorFlow.js, the trainer's `augmentBatch` and the PNG encoder.
import * as tf from '@tensorflow/tfjs';
import { augmentBatch } from '@trainyard/ml/augment';
import { imagesToTensor } from '@trainyard/predict';
import { type Augmentation, type ImageInput, mulberry32 } from '@trainyard/shared';
import { encode } from 'fast-png';

export { MAX_PREDICT_IMAGE_PIXELS, portableImageDecoder } from '@trainyard/predict';

/** Normalized float images (`n × size × size × 3`, `input`'s mean and std) to PNG data URLs. */
function toDataUrls(batch: tf.Tensor, input: ImageInput): string[] {
  const bytes = tf.tidy(() =>
    batch.mul(input.std).add(input.mean).clipByValue(0, 1).mul(255).round().toInt().dataSync(),
  );
  const n = batch.shape[0]!;
  const pixels = input.height * input.width * input.channels;
  return Array.from({ length: n }, (_, i) => {
    const data = Uint8Array.from(bytes.subarray(i * pixels, (i + 1) * pixels));
    const png = encode({
      width: input.width,
      height: input.height,
      data,
      channels: input.channels,
      depth: 8,
    });
    return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
  });
}

/**
 * `n` decoded images (`pixels`: `n × height × width × channels` bytes) as PNG data URLs: the
 * originals first, then `variants` columns, each the whole batch through `augmentBatch` with
 * random draws seeded by `seed` (mulberry32). Returns `1 + variants` columns of `n` URLs.
 */
export function augmentedDataUrls(
  pixels: Uint8Array,
  n: number,
  input: ImageInput,
  augmentation: Augmentation,
  { variants, seed }: { readonly variants: number; readonly seed: number },
): string[][] {
  const originals = imagesToTensor(pixels, n, input);
  const random = mulberry32(seed);
  try {
    const columns = [toDataUrls(originals, input)];
    for (let v = 0; v < variants; v++) {
      const batch = augmentBatch(originals, augmentation, input, random);
      columns.push(toDataUrls(batch, input));
      if (batch !== originals) batch.dispose(); // with nothing drawn, the batch is the input
    }
    return columns;
  } finally {
    originals.dispose();
  }
}
