import * as tf from '@tensorflow/tfjs';
import type { ImageInput } from '@trainyard/shared/portable';

/** What a decoder must produce: `height × width × channels` bytes. */
export type ImageSize = Pick<ImageInput, 'width' | 'height' | 'channels'>;

/**
 * Turns one image file into the pixels a model takes. One implementation per runtime: sharp on
 * Node (`@trainyard/predict/sharp`, what training decodes with), pure JavaScript anywhere
 * (`portableImageDecoder`, the default).
 */
export interface ImageDecoder {
  /** For messages and logs: `sharp`, `portable`. */
  readonly name: string;
  /**
   * Decodes `bytes` to `size.height × size.width × size.channels` bytes (row-major, grey or sRGB,
   * transparency flattened onto white), resized to fill without keeping the aspect ratio. Reads the
   * header first and refuses more than `maxPixels` before decoding pixels. Throws an `ImageError`
   * (`@trainyard/shared/portable`): `unknown_format`, `unsupported_format`, `corrupt` or
   * `too_many_pixels`.
   */
  decode(bytes: Uint8Array, size: ImageSize, options: { maxPixels: number }): Promise<Uint8Array>;
}

/** A batch of decoded images (`n × h × w × c` bytes) as the model's normalized float input. */
export function imagesToTensor(pixels: Uint8Array, count: number, input: ImageInput): tf.Tensor4D {
  return tf.tidy(() => {
    const raw = tf.tensor4d(pixels, [count, input.height, input.width, input.channels], 'float32');
    const scaled = raw.div(255);
    return scaled.sub(tf.tensor1d(input.mean)).div(tf.tensor1d(input.std)) as tf.Tensor4D;
  });
}
