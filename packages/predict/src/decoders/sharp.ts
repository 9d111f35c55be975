import {
  corruptImage,
  decodeExactPng,
  openImage,
  probeImage,
  type ReadImageOptions,
} from '@trainyard/shared/images';
import type { ImageInput } from '@trainyard/shared/portable';
import type { ImageDecoder } from '../preprocess/image';

// Node only (sharp's native library): `@trainyard/predict/sharp`, apart from the runtime-agnostic core.

/**
 * Decodes one image to `height × width × channels` bytes, as a viewer shows it (EXIF orientation
 * applied, transparency flattened onto white, first frame of a GIF), resized without keeping the
 * aspect ratio (as the training images were), grey or sRGB as the model takes (CMYK, 16-bit and
 * palette sources converted). Formats: those `DECODED_IMAGE_FORMATS` names (JPEG, PNG, WebP, GIF,
 * BMP, TIFF, AVIF). The same function serves training, evaluation and inference. Throws an
 * `ImageError` (`@trainyard/shared/images`) for a format it does not decode, a file that is
 * truncated or corrupt, or one whose header declares more than `options.maxPixels` pixels
 * (default 0x3fff², checked by sharp before it decodes a pixel).
 */
export async function decodeImage(
  bytes: Uint8Array,
  input: Pick<ImageInput, 'width' | 'height' | 'channels'>,
  options: ReadImageOptions = {},
): Promise<Uint8Array> {
  const { format, image } = openImage(bytes, options);
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

/**
 * `decodeImage` behind the `ImageDecoder` interface, with the pixel limit: sharp reads the header
 * and refuses an image over `maxPixels` before decoding it, so a PNG bomb stops there. Only when
 * decoding fails is the header probed (`probeImage`), to say which it was: too many pixels (named)
 * or a corrupt file. (Probing every image first cost a second trip through sharp and its thread
 * pool per prediction: 0.69-0.99 ms of CPU against 0.54-0.72 ms for a 28×28 PNG, three rounds of
 * 1000 on the loaded 2-core development machine.) What the inference function and Node users who
 * have sharp installed pass.
 */
export const sharpImageDecoder: ImageDecoder = {
  name: 'sharp',
  async decode(bytes, size, { maxPixels }) {
    // A PNG already at the model's size and colour decodes to the same bytes without sharp's
    // thread pool (`decodeExactPng`); anything else goes through sharp.
    const exact = decodeExactPng(bytes, size, maxPixels);
    if (exact) return exact;
    try {
      return await decodeImage(bytes, size, { maxPixels });
    } catch (error) {
      await probeImage(bytes, { maxPixels });
      throw error;
    }
  },
};
