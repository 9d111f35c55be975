import { decodeExactPng } from '@trainyard/shared/images';
import { digitPng, mnistDigits } from '@trainyard/testing';
import sharp, { type PngOptions } from 'sharp';
import { describe, expect, it } from 'vitest';
import type { ImageSize } from '../preprocess/image';
import { decodeImage, sharpImageDecoder } from './sharp';

// The PNG fast path of the sharp decoder against sharp itself: the same bytes, or no answer.

const maxPixels = 25_000_000;

function raw(width: number, height: number, channels: number, noisy: boolean): Uint8Array {
  return Uint8Array.from({ length: width * height * channels }, (_, i) =>
    noisy ? (i * 2654435761) >>> 24 : (i * 7) % 256,
  );
}

async function png(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  options: PngOptions = {},
): Promise<Uint8Array> {
  const image = sharp(pixels, { raw: { width, height, channels } });
  // sharp writes one raw channel as RGB unless told it is grey.
  if (channels <= 2) image.toColourspace('b-w');
  return new Uint8Array(await image.png(options).toBuffer());
}

describe('decodeExactPng (the PNG fast path of sharpImageDecoder)', () => {
  it('decodes PNGs at the model size to exactly the bytes sharp decodes', async () => {
    const digits = mnistDigits([0, 7], 2);
    const cases: Array<{ file: Uint8Array; size: ImageSize }> = [];
    for (const digit of digits)
      cases.push({ file: await digitPng(digit), size: { width: 28, height: 28, channels: 1 } });
    for (const noisy of [false, true]) {
      for (const options of [{}, { adaptiveFiltering: true }, { compressionLevel: 0 }]) {
        const rgb = raw(24, 16, 3, noisy);
        cases.push({
          file: await png(rgb, 24, 16, 3, options),
          size: { width: 24, height: 16, channels: 3 },
        });
        const grey = raw(24, 16, 1, noisy);
        const file = await png(grey, 24, 16, 1, options);
        cases.push({ file, size: { width: 24, height: 16, channels: 1 } });
        // A grey file for an RGB model: each grey value three times, as sharp's path does.
        cases.push({ file, size: { width: 24, height: 16, channels: 3 } });
      }
    }
    for (const { file, size } of cases) {
      const ours = decodeExactPng(file, size, maxPixels);
      expect(ours).toBeDefined();
      expect(ours).toEqual(await decodeImage(file, size, { maxPixels }));
      expect(await sharpImageDecoder.decode(file, size, { maxPixels })).toEqual(ours);
    }
  });

  it('leaves to sharp every PNG it cannot decode exactly, and every other format', async () => {
    const size: ImageSize = { width: 24, height: 16, channels: 3 };
    const rgb = raw(24, 16, 3, false);
    const declined: Array<[string, Uint8Array, ImageSize]> = [
      ['another size', await png(raw(20, 16, 3, false), 20, 16, 3), size],
      ['RGB for a grey model', await png(rgb, 24, 16, 3), { ...size, channels: 1 }],
      ['alpha', await png(raw(24, 16, 4, false), 24, 16, 4), size],
      ['grey and alpha', await png(raw(24, 16, 2, false), 24, 16, 2), size],
      ['a palette', await png(rgb, 24, 16, 3, { palette: true }), size],
      ['interlaced', await png(rgb, 24, 16, 3, { progressive: true }), size],
      [
        '16 bits',
        new Uint8Array(
          await sharp(rgb, { raw: { width: 24, height: 16, channels: 3 } })
            .toColourspace('rgb16')
            .png()
            .toBuffer(),
        ),
        size,
      ],
      [
        'a colour profile',
        new Uint8Array(
          await sharp(rgb, { raw: { width: 24, height: 16, channels: 3 } })
            .withIccProfile('p3')
            .png()
            .toBuffer(),
        ),
        size,
      ],
      [
        'a JPEG',
        new Uint8Array(
          await sharp(rgb, { raw: { width: 24, height: 16, channels: 3 } })
            .jpeg()
            .toBuffer(),
        ),
        size,
      ],
    ];
    for (const [what, file, want] of declined) {
      expect(decodeExactPng(file, want, maxPixels), what).toBeUndefined();
      // sharp still answers it, as before.
      expect((await sharpImageDecoder.decode(file, want, { maxPixels })).length, what).toBe(
        want.width * want.height * want.channels,
      );
    }
    // Over the pixel limit, a damaged CRC, a truncated file: not decoded here.
    const good = await png(rgb, 24, 16, 3);
    expect(decodeExactPng(good, size, 24 * 16 - 1)).toBeUndefined();
    const damaged = good.slice();
    damaged[damaged.length - 20]! ^= 0xff;
    expect(decodeExactPng(damaged, size, maxPixels)).toBeUndefined();
    expect(decodeExactPng(good.subarray(0, good.length - 12), size, maxPixels)).toBeUndefined();
  });
});
