import { type ErrorKind, TrainyardError } from '../errors/errors';
import { DECODED_IMAGE_FORMATS, IMAGE_FORMATS, imageFormatName } from './formats';
import { type ImageFormat, sniffImageFormat } from './sniff';

// Runtime-agnostic (no sharp, no Buffer): `@trainyard/shared/portable` exports these for decoders
// that run in browsers and edge runtimes.

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
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
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

/** The header declares more than `max` pixels. */
export function tooManyPixels(format: ImageFormat, width: number, height: number, max: number) {
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
