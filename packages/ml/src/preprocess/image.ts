import * as tf from '@tensorflow/tfjs';
import type { ImageInput } from '@trainyard/shared';
import { corruptImage, openImage } from '@trainyard/shared/images';

/**
 * Decodes one image to `height × width × channels` bytes, as a viewer shows it (EXIF orientation
 * applied, transparency flattened onto white, first frame of a GIF), resized without keeping the
 * aspect ratio (as the training images were), grey or sRGB as the model takes (CMYK, 16-bit and
 * palette sources converted). Formats: those `DECODED_IMAGE_FORMATS` names (JPEG, PNG, WebP, GIF,
 * BMP, TIFF, AVIF). The same function serves training, evaluation and inference. Throws an
 * `ImageError` (`@trainyard/shared/images`) for a format it does not decode, or a file that is
 * truncated or corrupt.
 */
export async function decodeImage(bytes: Uint8Array, input: ImageInput): Promise<Uint8Array> {
  const { format, image } = openImage(bytes);
  let out: { data: Buffer; info: { channels: number } };
  try {
    out = await image
      .toColourspace(input.channels === 1 ? 'b-w' : 'srgb')
      .resize(input.width, input.height, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw corruptImage(format, error);
  }
  if (out.info.channels !== input.channels) {
    // sharp keeps 1 channel for grey sources in sRGB; expand to what the model takes.
    return expandChannels(out.data, out.info.channels, input.channels);
  }
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length);
}

function expandChannels(data: Uint8Array, from: number, to: number): Uint8Array {
  const pixels = data.length / from;
  const out = new Uint8Array(pixels * to);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < to; c++) out[p * to + c] = data[p * from + Math.min(c, from - 1)]!;
  }
  return out;
}

/** A batch of decoded images (`n × h × w × c` bytes) as the model's normalized float input. */
export function imagesToTensor(pixels: Uint8Array, count: number, input: ImageInput): tf.Tensor4D {
  return tf.tidy(() => {
    const raw = tf.tensor4d(pixels, [count, input.height, input.width, input.channels], 'float32');
    const scaled = raw.div(255);
    return scaled.sub(tf.tensor1d(input.mean)).div(tf.tensor1d(input.std)) as tf.Tensor4D;
  });
}

/** Per-channel mean and std of decoded images, for `ImageInput.mean/std`. */
export function channelStats(
  pixels: Uint8Array,
  channels: number,
): { mean: number[]; std: number[] } {
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]! / 255;
    sum[i % channels]! += v;
    sumSq[i % channels]! += v * v;
  }
  const n = pixels.length / channels;
  const mean = [...sum].map((s) => s / n);
  const std = [...sumSq].map((s, c) => Math.sqrt(Math.max(1e-8, s / n - mean[c]! ** 2)));
  return { mean, std };
}
