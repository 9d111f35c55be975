import { crc32, inflateSync } from 'node:zlib';
import type { ImageHeader } from './read';

/** Sides and channels a model takes (as `@trainyard/predict`'s `ImageSize`). */
export interface PixelSize {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Chunks after which a decoder may change pixel values (colour management, transparency). */
const CHANGES_PIXELS = new Set(['iCCP', 'gAMA', 'cHRM', 'tRNS', 'sBIT', 'cICP', 'mDCv']);
/** PNG colour types taken here: 0 grey, 2 RGB (8 bits a sample, no alpha, no palette). */
const GREY = 0;
const RGB = 2;

/**
 * The pixels of a PNG that is already what a model takes, decoded on the calling thread, or
 * undefined when it is not: 8-bit grey or RGB, not interlaced, no palette, alpha,
 * colour profile, gamma or transparency chunk, exactly `size.width × size.height`, and grey for a
 * grey model, grey or RGB for an RGB one (grey is replicated, as `decodeImage` does). For such a
 * file no resampling and no colour conversion happens, so the bytes are exactly sharp's (tested
 * beside this); every other file, and any file this cannot read, is left to sharp (which says
 * what is wrong with it). Node only (zlib), like sharp. It exists
 * because the round trip through sharp's thread pool costs more than the decode of a small image
 * (0.75 ms against tens of µs for a 28×28 PNG on the development machine).
 */
export function decodeExactPng(
  bytes: Uint8Array,
  size: PixelSize,
  maxPixels: number,
): Uint8Array | undefined {
  if (size.width * size.height > maxPixels) return undefined;
  if (size.channels !== 1 && size.channels !== 3) return undefined;
  // None of the chunks before the image data may change how the pixels are read.
  const png = plainPng(bytes, CHANGES_PIXELS);
  if (!png || png.width !== size.width || png.height !== size.height) return undefined;
  if (png.channels > size.channels) return undefined;
  const data = inflatePixels(bytes, png.view, png.width, png.height, png.channels);
  if (!data) return undefined;
  if (png.channels === size.channels) return data;
  const out = new Uint8Array(png.width * png.height * size.channels);
  for (let p = 0; p < png.width * png.height; p++) {
    const v = data[p]!;
    for (let c = 0; c < size.channels; c++) out[p * size.channels + c] = v;
  }
  return out;
}

/**
 * The header of a PNG proven whole without sharp: 8-bit grey or RGB, not interlaced, no `eXIf`
 * chunk (an orientation would swap the sides a viewer shows), at most `maxPixels`, every chunk's
 * CRC right and its image data inflating to exactly its scanlines with known filters; undefined
 * for anything else (sharp then probes and decodes it, and says what is wrong). Dataset
 * validation decodes every image once to prove it whole: for the small grey and RGB PNGs of
 * digit-like data sets this costs tens of µs on the calling thread, where two round trips through
 * sharp's thread pool cost about 0.66 ms of CPU an image (measured on the development machine).
 */
export function checkPlainPng(bytes: Uint8Array, maxPixels: number): ImageHeader | undefined {
  const png = plainPng(bytes, ORIENTS);
  if (!png || png.width === 0 || png.height === 0 || png.width * png.height > maxPixels)
    return undefined;
  if (!inflatePixels(bytes, png.view, png.width, png.height, png.channels)) return undefined;
  return { format: 'png', width: png.width, height: png.height, channels: png.channels };
}

/** A chunk that orients the image (EXIF), which `checkPlainPng` leaves to sharp. */
const ORIENTS = new Set(['eXIf']);

/**
 * The IHDR of an 8-bit grey or RGB, non-interlaced PNG whose chunks before the image data are
 * none of `refused`, or undefined.
 */
function plainPng(
  bytes: Uint8Array,
  refused: ReadonlySet<string>,
): { view: DataView; width: number; height: number; channels: 1 | 3 } | undefined {
  if (bytes.length < 33) return undefined;
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // IHDR: width, height, bit depth, colour type, compression, filter, interlace.
  if (view.getUint32(8) !== 13 || chunkType(bytes, 12) !== 'IHDR') return undefined;
  const colour = bytes[25];
  if (bytes[24] !== 8 || bytes[28] !== 0 || (colour !== GREY && colour !== RGB)) return undefined;
  for (let at = 33; at + 8 <= bytes.length; ) {
    const type = chunkType(bytes, at + 4);
    if (type === 'IDAT') break;
    if (refused.has(type)) return undefined;
    at += 12 + view.getUint32(at);
  }
  return {
    view,
    width: view.getUint32(16),
    height: view.getUint32(20),
    channels: colour === RGB ? 3 : 1,
  };
}

/**
 * The image data of a non-interlaced 8-bit PNG: its IDAT chunks inflated (Node's zlib) and its
 * scanlines unfiltered (PNG's five filters), or undefined for anything malformed (a chunk past
 * the end or with a wrong CRC, no IEND, too much or too little data, an unknown filter).
 */
function inflatePixels(
  bytes: Uint8Array,
  view: DataView,
  width: number,
  height: number,
  channels: number,
): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let ended = false;
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = chunkType(bytes, at + 4);
    if (at + 12 + length > bytes.length) return undefined;
    // libpng refuses a chunk whose CRC does not match; so does this.
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length))
      return undefined;
    if (type === 'IDAT') parts.push(bytes.subarray(at + 8, at + 8 + length));
    if (type === 'IEND') {
      ended = true;
      break;
    }
    at += 12 + length;
  }
  if (!ended || parts.length === 0) return undefined;
  const stride = width * channels;
  let raw: Uint8Array;
  try {
    raw = inflateSync(parts.length === 1 ? parts[0]! : Buffer.concat(parts), {
      maxOutputLength: (stride + 1) * height,
    });
  } catch {
    return undefined;
  }
  if (raw.length !== (stride + 1) * height) return undefined;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const up = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[row + x - channels]! : 0;
      const b = y > 0 ? out[up + x]! : 0;
      const c = x >= channels && y > 0 ? out[up + x - channels]! : 0;
      let predicted: number;
      if (filter === 0) predicted = 0;
      else if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else return undefined;
      out[row + x] = (raw[src + x]! + predicted) & 0xff;
    }
  }
  return out;
}

function chunkType(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}
