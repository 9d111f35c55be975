/**
 * Image formats recognised by their first bytes (never by file name or Content-Type): the ones this
 * platform decodes and the ones it can only name, so that a file it cannot use is reported as what
 * it is ("HEIC", "JPEG XL") rather than "not an image".
 */
export type ImageFormat =
  | 'jpeg'
  | 'png'
  | 'webp'
  | 'gif'
  | 'bmp'
  | 'tiff'
  | 'avif'
  | 'heic'
  | 'heif'
  | 'jxl'
  | 'jp2'
  | 'ico'
  | 'psd'
  | 'svg'
  | 'pdf';

const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0) =>
  bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const latin1 = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, Math.min(to, bytes.length)));

/** ISO-BMFF brands (ISO/IEC 23008-12, AV1 Image File Format) of HEVC-coded and AV1-coded images. */
const HEVC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
const AV1_BRANDS = new Set(['avif', 'avis']);
/** Brands of the HEIF container itself, which say nothing of the codec. */
const HEIF_BRANDS = new Set(['mif1', 'msf1', 'mif2', 'miaf']);

/**
 * An ISO-BMFF `ftyp` box: the major brand decides (it is what the file declares itself to be, and
 * what viewers go by); a generic HEIF major brand (`mif1`, `msf1`) is refined by the compatible
 * brands. An `ftyp` of a video (`isom`, `qt  `, …) is not an image.
 */
function sniffFtyp(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length < 16 || latin1(bytes, 4, 8) !== 'ftyp') return undefined;
  const size = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const major = latin1(bytes, 8, 12);
  const compatible: string[] = [];
  for (let at = 16; at + 4 <= Math.min(size, bytes.length, 256); at += 4)
    compatible.push(latin1(bytes, at, at + 4));
  if (HEVC_BRANDS.has(major)) return 'heic';
  if (AV1_BRANDS.has(major)) return 'avif';
  if (!HEIF_BRANDS.has(major)) return undefined;
  if (compatible.some((b) => HEVC_BRANDS.has(b))) return 'heic';
  if (compatible.some((b) => AV1_BRANDS.has(b))) return 'avif';
  return 'heif';
}

/** A Windows bitmap: `BM`, then a DIB header of one of the sizes Windows and OS/2 ever wrote. */
function isBmp(bytes: Uint8Array): boolean {
  if (bytes.length < 26 || !startsWith(bytes, ascii('BM'))) return false;
  const dib = bytes[14]! | (bytes[15]! << 8) | (bytes[16]! << 16) | (bytes[17]! << 24);
  return [12, 16, 40, 52, 56, 64, 108, 124].includes(dib);
}

/** `00 00 01 00` (icon) or `00 00 02 00` (cursor), then at least one image. */
function isIco(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 22 &&
    (startsWith(bytes, [0, 0, 1, 0]) || startsWith(bytes, [0, 0, 2, 0])) &&
    (bytes[4]! | (bytes[5]! << 8)) > 0 &&
    bytes[9] === 0 // reserved byte of the first directory entry
  );
}

/** An XML or bare `<svg` document: markup only (BOM, declaration, comments, doctype) before it. */
function isSvg(bytes: Uint8Array): boolean {
  const head = latin1(bytes, 0, 1024).replace(/^\xef\xbb\xbf/, '');
  return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(head);
}

/**
 * The image format of a file from its first bytes (a few hundred suffice; the whole file is fine),
 * or `undefined` when it is none of `ImageFormat`. Never throws.
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif';
  if (isBmp(bytes)) return 'bmp';
  // Classic and BigTIFF, little and big endian.
  if (
    [ascii('II*\0'), ascii('MM\0*'), ascii('II+\0'), ascii('MM\0+')].some((m) =>
      startsWith(bytes, m),
    )
  )
    return 'tiff';
  const ftyp = sniffFtyp(bytes);
  if (ftyp) return ftyp;
  // JPEG XL: a bare codestream, or the ISO-BMFF container's signature box.
  if (
    startsWith(bytes, [0xff, 0x0a]) ||
    startsWith(bytes, [0, 0, 0, 0x0c, ...ascii('JXL '), 0x0d, 0x0a, 0x87, 0x0a])
  )
    return 'jxl';
  // JPEG 2000: the JP2 signature box, or a bare codestream (SOC then SIZ marker).
  if (
    startsWith(bytes, [0, 0, 0, 0x0c, ...ascii('jP  '), 0x0d, 0x0a, 0x87, 0x0a]) ||
    startsWith(bytes, [0xff, 0x4f, 0xff, 0x51])
  )
    return 'jp2';
  if (startsWith(bytes, ascii('8BPS'))) return 'psd';
  if (startsWith(bytes, ascii('%PDF-'))) return 'pdf';
  if (isIco(bytes)) return 'ico';
  if (isSvg(bytes)) return 'svg';
  return undefined;
}
