import sharp, { type Sharp } from 'sharp';
import { InternalError } from '../errors/errors';
import { bmpDimensions, decodeBmp } from './bmp';
import { corruptImage, decodableFormat, tooManyPixels } from './errors';
import type { ImageFormat } from './sniff';

export interface ImageHeader {
  readonly format: ImageFormat;
  /** Sides in pixels as a viewer shows the image: EXIF orientations 5-8 swap the stored sides. */
  readonly width: number;
  readonly height: number;
  /** Channels as stored (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA or CMYK). */
  readonly channels: number;
}

export interface ReadImageOptions {
  /** Largest `width × height` (before any resizing) to decode; default sharp's 268 402 689. */
  readonly maxPixels?: number;
}

/**
 * An image's header, read without decoding its pixels: the format (by magic bytes), the displayed
 * size and the channels. Throws `ImageError`: `unknown_format`, `unsupported_format`, `corrupt`
 * (the header does not read) or `too_many_pixels` (over `maxPixels`).
 */
export async function probeImage(
  bytes: Uint8Array,
  { maxPixels = 0x3fff ** 2 }: ReadImageOptions = {},
): Promise<ImageHeader> {
  const format = decodableFormat(bytes);
  let header: Omit<ImageHeader, 'format'>;
  if (format === 'bmp') {
    const size = bmpDimensions(bytes);
    if (!size || size.width <= 0 || size.height <= 0)
      throw corruptImage(format, new InternalError('the header declares no pixels'));
    header = { ...size, channels: 3 };
  } else {
    try {
      const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
      const { width, height } = meta.autoOrient;
      if (!(width > 0 && height > 0)) throw new InternalError('the header declares no pixels');
      header = { width, height, channels: meta.channels };
    } catch (error) {
      throw corruptImage(format, error);
    }
  }
  if (header.width * header.height > maxPixels)
    throw tooManyPixels(format, header.width, header.height, maxPixels);
  return { format, ...header };
}

/**
 * A sharp pipeline on an image's pixels as a viewer shows them: rotated by its EXIF orientation,
 * transparency flattened onto white, first page or frame only. Decode errors surface when the
 * pipeline runs: wrap them with `corruptImage(format, error)`. Throws `ImageError` at once for a
 * format it does not decode, and for a corrupt BMP (decoded here, not by sharp).
 */
export function openImage(
  bytes: Uint8Array,
  { maxPixels = 0x3fff ** 2 }: ReadImageOptions = {},
): { format: ImageFormat; image: Sharp } {
  const format = decodableFormat(bytes);
  let image: Sharp;
  if (format === 'bmp') {
    const size = bmpDimensions(bytes);
    if (size && size.width * size.height > maxPixels)
      throw tooManyPixels(format, size.width, size.height, maxPixels);
    let bmp: ReturnType<typeof decodeBmp>;
    try {
      bmp = decodeBmp(bytes);
    } catch (error) {
      throw corruptImage(format, error);
    }
    const { data, ...raw } = bmp;
    image = sharp(data, { raw });
  } else {
    image = sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels });
  }
  return { format, image: image.autoOrient().flatten({ background: '#ffffff' }) };
}
