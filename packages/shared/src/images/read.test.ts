import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { bmpDimensions, decodeBmp } from './bmp';
import { corruptImage, ImageError } from './errors';
import { openImage, probeImage } from './read';

const fixture = (path: string) =>
  readFileSync(new URL(`../../../../test/fixtures/realworld/${path}`, import.meta.url));

/**
 * A BMP written by hand, to test the decoder against bytes no encoder of ours produced: `rows` are
 * top to bottom, each pixel an [r, g, b] (24 bits) or a palette index (8 and 1 bits).
 */
function bmp(
  rows: Array<Array<number | [number, number, number]>>,
  { bits = 24, palette = [] as Array<[number, number, number]>, topDown = false } = {},
): Buffer {
  const width = rows[0]!.length;
  const stride = Math.ceil((width * bits) / 32) * 4;
  const pixels = Buffer.alloc(stride * rows.length);
  const stored = topDown ? rows : [...rows].reverse();
  for (const [y, row] of stored.entries()) {
    for (const [x, p] of row.entries()) {
      if (bits === 24) {
        const [r, g, b] = p as [number, number, number];
        pixels.set([b, g, r], y * stride + x * 3);
      } else if (bits === 8) pixels[y * stride + x] = p as number;
      else if (p) pixels[y * stride + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  const table = Buffer.from(palette.flatMap(([r, g, b]) => [b, g, r, 0]));
  const offset = 14 + 40 + table.length;
  const head = Buffer.alloc(54);
  head.write('BM', 0, 'latin1');
  head.writeUInt32LE(offset + pixels.length, 2);
  head.writeUInt32LE(offset, 10);
  head.writeUInt32LE(40, 14);
  head.writeInt32LE(width, 18);
  head.writeInt32LE(topDown ? -rows.length : rows.length, 22);
  head.writeUInt16LE(1, 26);
  head.writeUInt16LE(bits, 28);
  head.writeUInt32LE(pixels.length, 34);
  head.writeUInt32LE(palette.length, 46);
  return Buffer.concat([head, table, pixels]);
}

const R: [number, number, number] = [220, 30, 20];
const G: [number, number, number] = [20, 200, 40];
const B: [number, number, number] = [10, 40, 230];
const W: [number, number, number] = [255, 255, 255];

describe('decodeBmp', () => {
  it('reads 24-bit rows bottom-up and top-down into RGB, top row first', () => {
    const rows = [
      [R, G, B],
      [W, R, G],
    ];
    const expected = Uint8Array.from(rows.flat(2));
    for (const topDown of [false, true]) {
      const image = decodeBmp(bmp(rows, { topDown }));
      expect(image).toMatchObject({ width: 3, height: 2, channels: 3 });
      expect(image.data).toEqual(expected);
    }
    expect(bmpDimensions(bmp(rows, { topDown: true }))).toEqual({ width: 3, height: 2 });
  });

  it('reads palette BMPs of 8 and 1 bits', () => {
    const palette = [R, G, B, W];
    const eight = decodeBmp(bmp([[0, 1, 2, 3, 2]], { bits: 8, palette }));
    expect(eight.data).toEqual(Uint8Array.from([R, G, B, W, B].flat()));
    const one = decodeBmp(bmp([[1, 0, 0, 1, 1, 0, 1, 0, 1]], { bits: 1, palette: [B, W] }));
    expect(one.data).toEqual(Uint8Array.from([W, B, B, W, W, B, W, B, W].flat()));
  });

  it('throws on a BMP cut short', () => {
    const whole = bmp([
      [R, G, B, W],
      [W, B, G, R],
    ]);
    expect(() => decodeBmp(whole.subarray(0, whole.length - 10))).toThrow();
  });
});

describe('probeImage', () => {
  it('gives the sides after EXIF orientation: 5-8 swap width and height', async () => {
    const stored = sharp({ create: { width: 40, height: 30, channels: 3, background: '#888' } });
    for (const [orientation, sides] of [
      [1, [40, 30]],
      [3, [40, 30]],
      [6, [30, 40]],
      [8, [30, 40]],
    ] as const) {
      const jpeg = await stored.clone().jpeg().withMetadata({ orientation }).toBuffer();
      const header = await probeImage(jpeg);
      expect([header.width, header.height], `orientation ${orientation}`).toEqual(sides);
      expect(header).toMatchObject({ format: 'jpeg', channels: 3 });
    }
    // The case-01 phone photos: stored 32×48, shown 48×32.
    const phone = await probeImage(fixture('01-exif-orientation/predict-top-exif6.jpg'));
    expect(phone).toMatchObject({ format: 'jpeg', width: 48, height: 32 });
  });

  it('reads BMP sides from the header, and channels as stored elsewhere', async () => {
    expect(await probeImage(fixture('07-predict-odd-images/top.bmp'))).toEqual({
      format: 'bmp',
      width: 48,
      height: 32,
      channels: 3,
    });
    expect(await probeImage(fixture('06-image-encodings/probe-red-cmyk.jpg'))).toMatchObject({
      format: 'jpeg',
      channels: 4,
    });
    expect(await probeImage(fixture('06-image-encodings/probe-grey-greyalpha.png'))).toMatchObject({
      format: 'png',
      channels: 2,
    });
  });

  it('names the problem: unknown bytes, an undecodable format, a cut header, too many pixels', async () => {
    const problem = async (bytes: Uint8Array, maxPixels?: number) => {
      const error = await probeImage(bytes, { maxPixels }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ImageError);
      return error as ImageError;
    };
    const text = await problem(Buffer.from('hello, world'));
    expect(text).toMatchObject({ problem: 'unknown_format', format: undefined });
    expect(text.describe('notes.png')).toMatch(
      /^notes\.png is not an image in any format this platform knows \(its 12 bytes start with 0x68656c6c6f2c2077\); expected JPEG, PNG, WebP, GIF, BMP, TIFF or AVIF$/,
    );

    const heic = await problem(fixture('07-predict-odd-images/photo.heic'));
    expect(heic).toMatchObject({ problem: 'unsupported_format', format: 'heic' });
    expect(heic.describe('photo.heic')).toContain(
      "photo.heic is HEIC (iPhone's default photo format), which this platform cannot decode; convert it to JPEG (on macOS: Preview > File > Export, or `sips -s format jpeg",
    );
    expect(heic.message).toContain('Settings > Camera > Formats > Most Compatible');

    const png = fixture('06-image-encodings/probe-blue-rgb16.png');
    const cut = await problem(png.subarray(0, 20));
    expect(cut).toMatchObject({ problem: 'corrupt', format: 'png' });
    expect(cut.describe('x.png')).toMatch(/^x\.png is a PNG image that is truncated or corrupt \(/);

    const big = await problem(png, 24 * 24 - 1);
    expect(big).toMatchObject({ problem: 'too_many_pixels', size: { width: 24, height: 24 } });
    expect(big.message).toBe('is a 24×24 PNG image, over the 575 pixel limit');

    const bigBmp = await problem(fixture('07-predict-odd-images/top.bmp'), 100);
    expect(bigBmp.message).toContain('48×32 BMP');
  });
});

describe('openImage', () => {
  const decode = async (bytes: Uint8Array) => {
    const { format, image } = openImage(bytes);
    try {
      return await image.raw().toBuffer({ resolveWithObject: true });
    } catch (error) {
      throw corruptImage(format, error);
    }
  };

  it('shows an image as a viewer would: EXIF-rotated, transparency on white', async () => {
    // Top half white, bottom half black, stored rotated with orientation 6 (90° clockwise).
    const top = await sharp({
      create: { width: 4, height: 4, channels: 3, background: '#000' },
    })
      .composite([
        {
          input: { create: { width: 4, height: 2, channels: 3, background: '#fff' } },
          top: 0,
          left: 0,
        },
      ])
      .png()
      .toBuffer();
    const sideways = await sharp(top)
      .rotate(-90)
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const { data, info } = await decode(sideways);
    const at = (x: number, y: number) => data[(y * info.width + x) * info.channels]!;
    expect(at(3, 0)).toBeGreaterThan(200);
    expect(at(0, 3)).toBeLessThan(50);

    const clear = await sharp({
      create: { width: 2, height: 1, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const flat = await decode(clear);
    expect(flat.info.channels).toBe(3);
    expect([...flat.data]).toEqual([255, 255, 255, 255, 255, 255]);
  });

  it('decodes BMP through its own decoder, and calls a cut JPEG truncated or corrupt', async () => {
    const bmpPixels = await decode(bmp([[R, G]]));
    expect([...bmpPixels.data]).toEqual([...R, ...G]);
    const cut = await decode(fixture('07-predict-odd-images/truncated.jpg')).catch((e) => e);
    expect(cut).toBeInstanceOf(ImageError);
    expect(cut.describe('truncated.jpg')).toMatch(
      /^truncated\.jpg is a JPEG image that is truncated or corrupt \(.*premature end/i,
    );
    expect(() => openImage(fixture('07-predict-odd-images/photo.heic'))).toThrow(/HEIC/);
  });
});
