/**
 * A dropout mask over `size` float32s: each 1/keep with probability `keep`, else 0, from PCG32
 * (O'Neill 2014) seeded with `seed`: a 64-bit state, one multiply-add and a rotation per draw.
 */
export function dropoutMask(out: usize, size: i32, keep: f32, seed: u64): void {
  let state: u64 = seed * 6364136223846793005 + 1442695040888963407;
  const scale: f32 = 1 / keep;
  // u < keep with u = bits / 2^24, compared in integers: bits < keep·2^24.
  const threshold = <u32>(<f64>keep * 16777216.0);
  for (let i = 0; i < size; i++) {
    state = state * 6364136223846793005 + 1442695040888963407;
    const xorshifted = <u32>(((state >> 18) ^ state) >> 27);
    const rot = <u32>(state >> 59);
    const bits = rotr<u32>(xorshifted, rot) >>> 8;
    store<f32>(out + ((<usize>i) << 2), bits < threshold ? scale : 0);
  }
}

/**
 * Dropout's forward pass in one pass: the mask `dropoutMask` draws from `seed` into `mask`, and
 * y = x·mask.
 */
export function dropoutForward(x: usize, mask: usize, y: usize, size: i32, keep: f32, seed: u64): void {
  let state: u64 = seed * 6364136223846793005 + 1442695040888963407;
  const scale: f32 = 1 / keep;
  const threshold = <u32>(<f64>keep * 16777216.0);
  for (let i = 0; i < size; i++) {
    state = state * 6364136223846793005 + 1442695040888963407;
    const xorshifted = <u32>(((state >> 18) ^ state) >> 27);
    const rot = <u32>(state >> 59);
    const bits = rotr<u32>(xorshifted, rot) >>> 8;
    const m: f32 = bits < threshold ? scale : 0;
    const o = (<usize>i) << 2;
    store<f32>(mask + o, m);
    store<f32>(y + o, load<f32>(x + o) * m);
  }
}
