import { createRequire } from 'node:module';
import { InternalError } from '@trainyard/shared';
import sharp from 'sharp';

interface MnistDigit {
  length: number;
  get(i: number): number[];
}
const mnist = createRequire(import.meta.url)('mnist') as MnistDigit[];

/** One real MNIST digit: 28×28 grey pixels in 0-255. */
export interface Digit {
  readonly label: number;
  readonly pixels: Uint8Array;
}

/** The first `perDigit` samples (after `offset`) of each digit, in a fixed order: no randomness. */
export function mnistDigits(digits: readonly number[], perDigit: number, offset = 0): Digit[] {
  const out: Digit[] = [];
  for (const d of digits) {
    const source = mnist[d]!;
    if (offset + perDigit > source.length)
      throw new InternalError(`mnist has ${source.length} samples of ${d}`);
    for (let i = offset; i < offset + perDigit; i++) {
      out.push({ label: d, pixels: Uint8Array.from(source.get(i), (v) => Math.round(v * 255)) });
    }
  }
  return out;
}

export function digitPng(digit: Digit): Promise<Buffer> {
  return sharp(Buffer.from(digit.pixels), { raw: { width: 28, height: 28, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}
