import {
  corruptImage,
  DECODED_IMAGE_FORMATS,
  decodableFormat,
  IMAGE_FORMATS,
  ImageError,
  tooManyPixels,
} from '@trainyard/shared/portable';
import { convertIndexedToRgb, decode as decodePng } from 'fast-png';
// The decoder alone: jpeg-js's index also loads its encoder (which reaches for Node's Buffer).
import decodeJpeg from 'jpeg-js/lib/decoder.js';
import type { ImageDecoder, ImageSize } from '../preprocess/image';
import { exifOrientation, orient } from './orientation';
import { resizeFill } from './resize';

// Pure JavaScript, so it runs in browsers, Cloudflare Workers, Deno and Node alike: jpeg-js (the
// long-standing pure-JS baseline JPEG codec, no native parts) and fast-png (image-js's maintained,
// typed PNG codec on fflate). upng-js was the other candidate: unmaintained since 2019.

/** RGBA, 8 bits a channel. */
interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

const notHere = (format: Parameters<typeof corruptImage>[0]) =>
  new ImageError(
    'unsupported_format',
    format,
    `is ${IMAGE_FORMATS[format].name}, which the portable decoder cannot decode; convert it to PNG or JPEG, or on Node pass sharpImageDecoder from @trainyard/predict/sharp (which decodes ${DECODED_IMAGE_FORMATS})`,
  );

/** `width × height` from a PNG's IHDR (bytes 16-23), before any pixel is inflated. */
function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 24) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** `width × height` from a JPEG's start-of-frame marker. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    // SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return {
        height: (bytes[at + 5]! << 8) | bytes[at + 6]!,
        width: (bytes[at + 7]! << 8) | bytes[at + 8]!,
      };
    at += 2 + length;
  }
  return undefined;
}

function png(bytes: Uint8Array): Rgba {
  const decoded = decodePng(bytes);
  const { width, height } = decoded;
  const data = decoded.palette ? convertIndexedToRgb(decoded) : decoded.data;
  const channels = decoded.palette ? (data.length / (width * height)) | 0 : decoded.channels;
  const shift = decoded.depth === 16 ? 8 : 0;
  const out = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const at = p * channels;
    const v = (c: number) => (data[at + c]! >> shift) & 0xff;
    const grey = channels <= 2;
    out[p * 4] = v(0);
    out[p * 4 + 1] = grey ? v(0) : v(1);
    out[p * 4 + 2] = grey ? v(0) : v(2);
    out[p * 4 + 3] = channels === 2 ? v(1) : channels === 4 ? v(3) : 255;
  }
  return { width, height, data: out };
}

function jpeg(bytes: Uint8Array, maxPixels: number): Rgba {
  const decoded = decodeJpeg(bytes, {
    useTArray: true,
    formatAsRGBA: true,
    maxResolutionInMP: Math.ceil(maxPixels / 1e6),
  }) as ReturnType<typeof decodeJpeg> & { exifBuffer?: Uint8Array };
  return orient(decoded, exifOrientation(decoded.exifBuffer));
}

/** sRGB byte → linear light. */
const LINEAR = Float64Array.from({ length: 256 }, (_, v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});

/** Linear light → sRGB byte. */
function gamma(y: number): number {
  const c = y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055;
  return Math.min(255, Math.max(0, Math.round(c * 255)));
}

/** RGBA → `channels` (1 grey, 3 RGB), transparency flattened onto white. */
function toChannels(image: Rgba, channels: number): Uint8Array {
  const pixels = image.width * image.height;
  const out = new Uint8Array(pixels * channels);
  const src = image.data;
  for (let p = 0; p < pixels; p++) {
    const a = src[p * 4 + 3]! / 255;
    const flat = (c: number) => src[p * 4 + c]! * a + 255 * (1 - a);
    if (channels === 1) {
      // Rec. 709 luminance in linear light, as libvips' sRGB → b-w.
      const [r, g, b] = [0, 1, 2].map((c) => LINEAR[Math.round(flat(c))]!) as [
        number,
        number,
        number,
      ];
      out[p] = gamma(0.2126 * r + 0.7152 * g + 0.0722 * b);
    } else {
      for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round(flat(c));
    }
  }
  return out;
}

/**
 * The decoder that runs anywhere: PNG (any bit depth, palette, grey, alpha) and baseline or
 * progressive JPEG (EXIF orientation applied), resized with an antialiased linear filter (the
 * identity at the model's own size). Other formats are `unsupported_format`, naming the sharp
 * decoder. Pixels resized by it differ slightly from sharp's (another resampling kernel): an image
 * already at the model's size predicts exactly as the inference endpoint does.
 */
export const portableImageDecoder: ImageDecoder = {
  name: 'portable',
  async decode(bytes: Uint8Array, size: ImageSize, { maxPixels }: { maxPixels: number }) {
    const format = decodableFormat(bytes);
    if (format !== 'png' && format !== 'jpeg') throw notHere(format);
    const declared = format === 'png' ? pngSize(bytes) : jpegSize(bytes);
    if (!declared || !(declared.width > 0 && declared.height > 0))
      throw corruptImage(format, 'the header declares no image size');
    if (declared.width * declared.height > maxPixels)
      throw tooManyPixels(format, declared.width, declared.height, maxPixels);
    let image: Rgba;
    try {
      image = format === 'png' ? png(bytes) : jpeg(bytes, maxPixels);
    } catch (error) {
      throw corruptImage(format, error);
    }
    const pixels = toChannels(image, size.channels);
    return resizeFill(pixels, image.width, image.height, size.channels, size.width, size.height);
  },
};
