/** Per-channel mean and std of decoded images, for `ImageInput.mean/std`. */
export function channelStats(
  pixels: Uint8Array,
  channels: number,
): { mean: number[]; std: number[] } {
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]! / 255;
    sum[i % channels]! += v;
    sumSq[i % channels]! += v * v;
  }
  const n = pixels.length / channels;
  const mean = [...sum].map((s) => s / n);
  const std = [...sumSq].map((s, c) => Math.sqrt(Math.max(1e-8, s / n - mean[c]! ** 2)));
  return { mean, std };
}
