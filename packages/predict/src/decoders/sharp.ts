import { corruptImage, openImage, probeImage } from '@trainyard/shared/images';
import type { ImageInput } from '@trainyard/shared/portable';
import type { ImageDecoder } from '../preprocess/image';

// Node only (sharp's native library): `@trainyard/predict/sharp`, apart from the runtime-agnostic core.

/**
 * Decodes one image to `height × width × channels` bytes, as a viewer shows it (EXIF orientation
 * applied, transparency flattened onto white, first frame of a GIF), resized without keeping the
 * aspect ratio (as the training images were), grey or sRGB as the model takes (CMYK, 16-bit and
 * palette sources converted). Formats: those `DECODED_IMAGE_FORMATS` names (JPEG, PNG, WebP, GIF,
 * BMP, TIFF, AVIF). The same function serves training, evaluation and inference. Throws an
 * `ImageError` (`@trainyard/shared/images`) for a format it does not decode, or a file that is
 * truncated or corrupt.
 */
export async function decodeImage(
  bytes: Uint8Array,
  input: Pick<ImageInput, 'width' | 'height' | 'channels'>,
): Promise<Uint8Array> {
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

/**
 * `decodeImage` behind the `ImageDecoder` interface: the header is probed first, so a PNG bomb stops
 * before decoding. What the inference function and Node users who have sharp installed pass.
 */
export const sharpImageDecoder: ImageDecoder = {
  name: 'sharp',
  async decode(bytes, size, { maxPixels }) {
    await probeImage(bytes, { maxPixels });
    return decodeImage(bytes, size);
  },
};
