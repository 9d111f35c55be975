/** Weights of one output sample along an axis: the input indices it reads and how much of each. */
interface Taps {
  readonly start: number;
  readonly weights: Float64Array;
}

/**
 * A triangle (linear) filter widened by the scale when shrinking, so that every input pixel counts
 * (no aliasing); pixel centres aligned, edges clamped. At scale 1 each output is exactly its input
 * pixel. (Lanczos-3, sharp's kernel, came out further from sharp's pixels than this, as libvips
 * shrinks by boxes before it reduces.)
 */
function taps(from: number, to: number): Taps[] {
  const scale = from / to;
  const support = Math.max(1, scale);
  return Array.from({ length: to }, (_, x) => {
    const centre = Math.min(from - 1, Math.max(0, (x + 0.5) * scale - 0.5));
    const start = Math.max(0, Math.ceil(centre - support + 1e-9));
    const end = Math.min(from - 1, Math.floor(centre + support - 1e-9));
    const weights = new Float64Array(Math.max(1, end - start + 1));
    let sum = 0;
    for (let i = start; i <= end; i++) {
      const w = Math.max(0, 1 - Math.abs(i - centre) / support);
      weights[i - start] = w;
      sum += w;
    }
    if (sum === 0) return { start: Math.round(centre), weights: Float64Array.of(1) };
    for (let i = 0; i < weights.length; i++) weights[i]! /= sum;
    return { start, weights };
  });
}

/**
 * `pixels` (`height × width × channels` bytes) resized to `toWidth × toHeight` without keeping the
 * aspect ratio (as training resized its images), separably: rows, then columns.
 */
export function resizeFill(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  toWidth: number,
  toHeight: number,
): Uint8Array {
  if (width === toWidth && height === toHeight) return pixels;
  const across = taps(width, toWidth);
  const down = taps(height, toHeight);
  const rows = new Float64Array(height * toWidth * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < toWidth; x++) {
      const { start, weights } = across[x]!;
      for (let c = 0; c < channels; c++) {
        let v = 0;
        for (let k = 0; k < weights.length; k++)
          v += weights[k]! * pixels[(y * width + start + k) * channels + c]!;
        rows[(y * toWidth + x) * channels + c] = v;
      }
    }
  }
  const out = new Uint8Array(toHeight * toWidth * channels);
  for (let y = 0; y < toHeight; y++) {
    const { start, weights } = down[y]!;
    for (let x = 0; x < toWidth; x++) {
      for (let c = 0; c < channels; c++) {
        let v = 0;
        for (let k = 0; k < weights.length; k++)
          v += weights[k]! * rows[((start + k) * toWidth + x) * channels + c]!;
        out[(y * toWidth + x) * channels + c] = Math.min(255, Math.max(0, Math.round(v)));
      }
    }
  }
  return out;
}
