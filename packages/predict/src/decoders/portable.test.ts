import { readFileSync } from 'node:fs';
import { ImageError } from '@trainyard/shared/portable';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { ImageSize } from '../preprocess/image';
import { portableImageDecoder } from './portable';
import { sharpImageDecoder } from './sharp';

// The pure-JS decoder against sharp (what training decodes with), on the real-world fixtures.

const fixture = (path: string) =>
  new Uint8Array(
    readFileSync(new URL(`../../../../test/fixtures/realworld/${path}`, import.meta.url)),
  );
const size: ImageSize = { width: 24, height: 16, channels: 3 };
const maxPixels = 25_000_000;

function meanDifference(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

describe('portableImageDecoder', () => {
  it('decodes a PNG at the model size to exactly what sharp decodes', async () => {
    const raw = Uint8Array.from({ length: 24 * 16 * 3 }, (_, i) => (i * 37) % 256);
    const png = new Uint8Array(
      await sharp(raw, { raw: { width: 24, height: 16, channels: 3 } })
        .png()
        .toBuffer(),
    );
    const ours = await portableImageDecoder.decode(png, size, { maxPixels });
    expect(ours).toEqual(raw);
    expect(ours).toEqual(await sharpImageDecoder.decode(png, size, { maxPixels }));
  });

  it.each([
    '01-exif-orientation/predict-top-exif6.jpg',
    '01-exif-orientation/predict-left-exif8.jpg',
    '01-exif-orientation/predict-top-plain.jpg',
    '06-image-encodings/probe-blue-rgb16.png',
    '06-image-encodings/probe-blue-palette.png',
    '06-image-encodings/probe-grey-greyalpha.png',
    '07-predict-odd-images/rgba-left-20x20.png',
    '07-predict-odd-images/grey-top-300x200.png',
    '07-predict-odd-images/tiny-top-6x4.jpg',
  ])(
    'sees %s as sharp does (orientation, depth, palette, alpha, grey; resampled)',
    async (path) => {
      for (const channels of [3, 1] as const) {
        const want = { ...size, channels };
        const ours = await portableImageDecoder.decode(fixture(path), want, { maxPixels });
        const theirs = await sharpImageDecoder.decode(fixture(path), want, { maxPixels });
        expect(ours.length).toBe(theirs.length);
        expect(meanDifference(ours, theirs)).toBeLessThan(12);
      }
    },
  );

  it('names the sharp decoder for formats it does not read, and stops bombs at the header', async () => {
    const webp = fixture('06-image-encodings/probe-red-webp.webp');
    const error = await portableImageDecoder.decode(webp, size, { maxPixels }).catch((e) => e);
    expect(error).toBeInstanceOf(ImageError);
    expect(error.problem).toBe('unsupported_format');
    expect(error.message).toContain('sharpImageDecoder');

    const big = fixture('07-predict-odd-images/grey-top-300x200.png');
    const bomb = await portableImageDecoder.decode(big, size, { maxPixels: 1000 }).catch((e) => e);
    expect(bomb.problem).toBe('too_many_pixels');
    expect(bomb.message).toContain('300×200');

    const cut = fixture('07-predict-odd-images/truncated.jpg');
    const corrupt = await portableImageDecoder.decode(cut, size, { maxPixels }).catch((e) => e);
    expect(corrupt.problem).toBe('corrupt');
  });
});
