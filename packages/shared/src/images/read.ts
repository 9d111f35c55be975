import sharp, { type Sharp } from 'sharp';
import { type ErrorKind, InternalError, TrainyardError } from '../errors/errors';
import { bmpDimensions, decodeBmp } from './bmp';
import { DECODED_IMAGE_FORMATS, IMAGE_FORMATS, imageFormatName } from './formats';
import { type ImageFormat, sniffImageFormat } from './sniff';

/** Why an image cannot be used. */
export type ImageProblem =
  /** The bytes are no image format `sniffImageFormat` knows. */
  | 'unknown_format'
  /** A known format this platform does not decode (HEIC, JPEG XL, …). */
  | 'unsupported_format'
  /** A decodable format whose header or pixels do not read: truncated or corrupt. */
  | 'corrupt'
  /** The header declares more pixels than the caller's cap. */
  | 'too_many_pixels';

/**
 * An image that cannot be used, with what is known of it. `message` has no subject; `describe`
 * puts one (a zip entry's path, a request field) in front, for reports and API errors.
 */
export class ImageError extends TrainyardError {
  override readonly kind: ErrorKind = 'unprocessable';
  override readonly code: string;

  constructor(
    readonly problem: ImageProblem,
    readonly format: ImageFormat | undefined,
    message: string,
    /** Declared sides, for `too_many_pixels`. */
    readonly size?: { width: number; height: number },
  ) {
    super(message);
    this.code = problem;
  }

  /** `photo.heic is HEIC (iPhone's default photo format), which this platform cannot decode; …` */
  describe(subject: string): string {
    return `${subject} ${this.message}`;
  }
}

function unknownFormat(bytes: Uint8Array): ImageError {
  const head = Buffer.from(bytes.subarray(0, 8)).toString('hex');
  return new ImageError(
    'unknown_format',
    undefined,
    bytes.length === 0
      ? `is empty; expected an image (${DECODED_IMAGE_FORMATS})`
      : `is not an image in any format this platform knows (its ${bytes.length} bytes start with 0x${head}); expected ${DECODED_IMAGE_FORMATS}`,
  );
}

function unsupportedFormat(format: ImageFormat): ImageError {
  return new ImageError(
    'unsupported_format',
    format,
    `is ${imageFormatName(format)}, which this platform cannot decode; ${IMAGE_FORMATS[format].convert} (decoded formats: ${DECODED_IMAGE_FORMATS})`,
  );
}

/** Wraps a decoder's failure on a file of a known, decodable format. */
export function corruptImage(format: ImageFormat, cause: unknown): ImageError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ImageError(
    'corrupt',
    format,
    `is a ${IMAGE_FORMATS[format].name} image that is truncated or corrupt (${detail})`,
  );
}

function tooManyPixels(format: ImageFormat, width: number, height: number, max: number) {
  return new ImageError(
    'too_many_pixels',
    format,
    `is a ${width}×${height} ${IMAGE_FORMATS[format].name} image, over the ${max} pixel limit`,
    { width, height },
  );
}

/** The format of a file that training and inference can decode; throws `ImageError` otherwise. */
export function decodableFormat(bytes: Uint8Array): ImageFormat {
  const format = sniffImageFormat(bytes);
  if (!format) throw unknownFormat(bytes);
  if (!IMAGE_FORMATS[format].decodes) throw unsupportedFormat(format);
  return format;
}

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
