import sharp, { type PngOptions } from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkPlainPng } from './exact-png';
import { probeImage } from './read';

const MAX = 25_000_000;

function pixels(width: number, height: number, channels: number): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 3) * 11) & 0xff;
  return data;
}

async function png(
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  options: PngOptions = {},
): Promise<Buffer> {
  return sharp(pixels(width, height, channels), { raw: { width, height, channels } })
    .png(options)
    .toBuffer();
}

describe('checkPlainPng (dataset validation without sharp for plain PNGs)', () => {
  it("gives sharp's own header for 8-bit grey and RGB PNGs, whatever their filters", async () => {
    for (const [w, h, c] of [
      [28, 28, 1],
      [1, 1, 3],
      [33, 17, 3],
      [64, 5, 1],
    ] as const) {
      for (const adaptiveFiltering of [false, true]) {
        const bytes = await png(w, h, c, { adaptiveFiltering, compressionLevel: 9 });
        expect(checkPlainPng(bytes, MAX)).toEqual(await probeImage(bytes, { maxPixels: MAX }));
      }
    }
  });

  it('leaves to sharp what it does not prove: palette, alpha, interlace, 16 bits, eXIf, too many pixels', async () => {
    expect(checkPlainPng(await png(8, 8, 3, { palette: true }), MAX)).toBeUndefined();
    expect(checkPlainPng(await png(8, 8, 4), MAX)).toBeUndefined();
    expect(checkPlainPng(await png(8, 8, 2), MAX)).toBeUndefined();
    expect(checkPlainPng(await png(8, 8, 3, { progressive: true }), MAX)).toBeUndefined();
    const sixteen = await sharp(pixels(8, 8, 3), { raw: { width: 8, height: 8, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect(checkPlainPng(sixteen, MAX)).toBeUndefined();
    const oriented = await sharp(await png(8, 4, 3))
      .withMetadata({ orientation: 6 })
      .png()
      .toBuffer();
    expect(checkPlainPng(oriented, MAX)).toBeUndefined();
    expect(checkPlainPng(await png(100, 100, 1), 9_999)).toBeUndefined();
  });

  it('proves nothing for a damaged PNG: a flipped byte in its data, or a cut file', async () => {
    const good = await png(28, 28, 1);
    const idat = good.indexOf('IDAT');
    const flipped = Buffer.from(good);
    flipped[idat + 10] = flipped[idat + 10]! ^ 0xff;
    expect(checkPlainPng(flipped, MAX)).toBeUndefined();
    expect(checkPlainPng(good.subarray(0, good.length - 20), MAX)).toBeUndefined();
    expect(checkPlainPng(good.subarray(0, 20), MAX)).toBeUndefined();
  });
});
