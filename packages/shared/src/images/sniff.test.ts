import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { namedLikeImage } from './formats';
import { type ImageFormat, sniffImageFormat } from './sniff';

const fixture = (path: string) =>
  readFileSync(new URL(`../../../../test/fixtures/realworld/${path}`, import.meta.url));
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))),
  );
const u32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
/** An ISO-BMFF `ftyp` box with these brands, then the start of a `meta` box. */
const ftyp = (major: string, ...compatible: string[]) =>
  bytes(u32(16 + 4 * compatible.length), 'ftyp', major, [0, 0, 0, 0], compatible.join(''), [
    ...u32(12),
    ...[...'meta'].map((c) => c.charCodeAt(0)),
    0,
    0,
    0,
    0,
  ]);

const red = () => sharp({ create: { width: 4, height: 4, channels: 3, background: '#c02020' } });

describe('sniffImageFormat', () => {
  it.each([
    ['jpeg', () => red().jpeg().toBuffer()],
    ['png', () => red().png().toBuffer()],
    ['webp', () => red().webp().toBuffer()],
    ['gif', () => red().gif().toBuffer()],
    ['tiff', () => red().tiff().toBuffer()],
    ['avif', () => red().avif().toBuffer()],
  ] as Array<[ImageFormat, () => Promise<Buffer>]>)(
    'names a %s that sharp wrote',
    async (format, make) => {
      expect(sniffImageFormat(await make())).toBe(format);
    },
  );

  it('names the real-world files by their bytes, whatever their names say', () => {
    expect(sniffImageFormat(fixture('07-predict-odd-images/top.bmp'))).toBe('bmp');
    expect(sniffImageFormat(fixture('07-predict-odd-images/left.gif'))).toBe('gif');
    expect(sniffImageFormat(fixture('07-predict-odd-images/photo.heic'))).toBe('heic');
    expect(sniffImageFormat(fixture('07-predict-odd-images/truncated.jpg'))).toBe('jpeg');
    expect(sniffImageFormat(fixture('06-image-encodings/probe-red-cmyk.jpg'))).toBe('jpeg');
    expect(sniffImageFormat(fixture('06-image-encodings/probe-blue-rgb16.png'))).toBe('png');
    expect(sniffImageFormat(fixture('06-image-encodings/probe-red-webp.webp'))).toBe('webp');
  });

  it('tells HEIC, AVIF and plain HEIF apart by their ftyp brands', () => {
    for (const major of ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis'])
      expect(sniffImageFormat(ftyp(major, 'mif1', 'miaf')), major).toBe('heic');
    expect(sniffImageFormat(ftyp('mif1', 'heic', 'miaf'))).toBe('heic');
    expect(sniffImageFormat(ftyp('msf1', 'hevc'))).toBe('heic');
    expect(sniffImageFormat(ftyp('avif', 'mif1', 'miaf'))).toBe('avif');
    expect(sniffImageFormat(ftyp('avis', 'msf1'))).toBe('avif');
    expect(sniffImageFormat(ftyp('mif1', 'avif', 'miaf'))).toBe('avif');
    expect(sniffImageFormat(ftyp('mif1', 'miaf'))).toBe('heif');
    expect(sniffImageFormat(ftyp('msf1'))).toBe('heif');
    // Videos are ftyp files too, and not images.
    expect(sniffImageFormat(ftyp('isom', 'iso2', 'mp41'))).toBeUndefined();
    expect(sniffImageFormat(ftyp('qt  ', 'qt  '))).toBeUndefined();
  });

  it('names BMP only with a real DIB header after "BM"', () => {
    const header = (dib: number) =>
      bytes('BM', [0, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, dib, 0, 0, 0], new Array(12).fill(0));
    for (const dib of [12, 40, 108, 124])
      expect(sniffImageFormat(header(dib)), `${dib}`).toBe('bmp');
    expect(sniffImageFormat(header(99))).toBeUndefined();
    expect(sniffImageFormat(bytes('BMW 3 series, 2019, blue, 42000 km'))).toBeUndefined();
  });

  it('names the formats it does not decode', () => {
    const cases: Array<[ImageFormat, Buffer]> = [
      ['jxl', bytes([0xff, 0x0a, 0xfa, 0x1f, 0x00])],
      ['jxl', bytes([0, 0, 0, 0x0c], 'JXL ', [0x0d, 0x0a, 0x87, 0x0a], u32(20), 'ftypjxl ')],
      ['jp2', bytes([0, 0, 0, 0x0c], 'jP  ', [0x0d, 0x0a, 0x87, 0x0a], u32(20), 'ftypjp2 ')],
      ['jp2', bytes([0xff, 0x4f, 0xff, 0x51, 0, 0x2f])],
      ['psd', bytes('8BPS', [0, 1, 0, 0, 0, 0, 0, 0])],
      ['pdf', bytes('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')],
      ['ico', bytes([0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0], u32(0), u32(22))],
      ['ico', bytes([0, 0, 2, 0, 1, 0, 32, 32, 0, 0, 1, 0, 1, 0], u32(0), u32(22))],
      ['svg', bytes('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')],
      [
        'svg',
        bytes(
          '\xef\xbb\xbf<?xml version="1.0"?>\n<!-- drawn by hand -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n<svg viewBox="0 0 4 4">',
        ),
      ],
    ];
    for (const [format, data] of cases) expect(sniffImageFormat(data), format).toBe(format);
  });

  it('returns undefined for what is no image, however short', () => {
    for (const data of [
      bytes(''),
      bytes([0xff]),
      bytes([0xff, 0xd8]),
      bytes('GIF8'),
      bytes('RIFF\0\0\0\0WAVEfmt '),
      bytes('sepal_length,label\n5.1,setosa\n'),
      bytes('<html><body><svg></svg></body></html>'),
      bytes('PK\x03\x04'),
      bytes([0, 0, 1, 0, 0, 0]),
    ])
      expect(sniffImageFormat(data)).toBeUndefined();
  });
});

describe('namedLikeImage', () => {
  it('knows the extensions of every named format, in any case', () => {
    for (const name of [
      'a.jpg',
      'b.JPEG',
      'c.png',
      'IMG_4032.HEIC',
      'd.heif',
      'e.tif',
      'f.bmp',
      'g.jxl',
    ])
      expect(namedLikeImage(name), name).toBe(true);
    for (const name of ['notes.txt', 'labels.csv', 'photo.jpg.txt', 'clip.mov'])
      expect(namedLikeImage(name), name).toBe(false);
  });
});
