import { decode } from 'bmp-ts';
import { InternalError } from '../errors/errors';

/**
 * Width and height a BMP's DIB header declares (a negative height means rows stored top-down; the
 * absolute value is returned), read without decoding so a pixel cap can stop a bomb first.
 * `undefined` when the header is cut short.
 */
export function bmpDimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 26) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(14, true) === 12) {
    // OS/2 BITMAPCOREHEADER: 16-bit sides.
    return { width: view.getUint16(18, true), height: view.getUint16(20, true) };
  }
  return { width: view.getInt32(18, true), height: Math.abs(view.getInt32(22, true)) };
}

/**
 * Decodes a BMP (1, 4, 8, 16, 24 or 32 bits per pixel, uncompressed, RLE or bit fields) to RGB
 * bytes, rows top to bottom. libvips reads BMP only through ImageMagick, which sharp's prebuilt
 * binaries leave out, so `bmp-ts` (the decoder Jimp uses) does it. Alpha is dropped: most 32-bit
 * BMPs leave that byte 0, and a viewer shows them opaque. Throws on a truncated or corrupt file.
 */
export function decodeBmp(bytes: Uint8Array): {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
} {
  // ABGR, not RGBA: bmp-ts's 1-bit path writes its alpha zero at a wrong offset in RGBA mode.
  const image = decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const { width, height, data: abgr } = image;
  const pixels = width * height;
  if (!(pixels > 0) || abgr.length !== pixels * 4) throw new InternalError('BMP has no pixels');
  const rgb = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    rgb[p * 3] = abgr[p * 4 + 3]!;
    rgb[p * 3 + 1] = abgr[p * 4 + 2]!;
    rgb[p * 3 + 2] = abgr[p * 4 + 1]!;
  }
  return { data: rgb, width, height, channels: 3 };
}
