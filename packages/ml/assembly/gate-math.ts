import { madd } from './madd';

/**
 * Element-wise math of recurrent gates, four floats at a time, and the small products the
 * recurrent kernels repeat every step. No tables (the module must have no data segments): exp is
 * a degree-6 polynomial after range reduction, ~1 ulp off float32's on the gates' ranges.
 */

/** e^x per lane (x clamped to [-87, 88], where float32 stays normal). */
@inline
export function exp4(x: v128): v128 {
  // pmin/pmax are one instruction each (min/max also order NaNs and signed zeros).
  const c = f32x4.pmax(f32x4.pmin(x, f32x4.splat(88.0)), f32x4.splat(-87.0));
  // n = round(c / ln2) by adding and subtracting 1.5·2^23; the sum's low bits hold n as an
  // integer, so 2^n is (bits + 127) << 23 (the constant's own bits shift out).
  const shifted = f32x4.add(f32x4.mul(c, f32x4.splat(1.44269504)), f32x4.splat(12582912.0));
  const n = f32x4.sub(shifted, f32x4.splat(12582912.0));
  // r = c - n·ln2, with ln2 split in two so that the product is exact enough.
  let r = f32x4.sub(c, f32x4.mul(n, f32x4.splat(0.693145752)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(1.42860677e-6)));
  // The Taylor polynomial to r^6 in Estrin's form (shorter chains than Horner's):
  // (1 + r) + r²·(1/2 + r/6) + r⁴·(1/24 + r/120 + r²/720).
  const r2 = f32x4.mul(r, r);
  const r4 = f32x4.mul(r2, r2);
  const lo = f32x4.add(f32x4.splat(1.0), r);
  const mid = madd(r, f32x4.splat(1.0 / 6.0), f32x4.splat(0.5));
  const hi = madd(r2, f32x4.splat(1.0 / 720.0), madd(r, f32x4.splat(1.0 / 120.0), f32x4.splat(1.0 / 24.0)));
  const p = madd(r4, hi, madd(r2, mid, lo));
  const scale = i32x4.shl(i32x4.add(shifted, i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** 1 / (1 + e^-x) per lane. */
@inline
export function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

/** tfjs-layers' hard sigmoid per lane: clip(0.2·x + 0.5, 0, 1). */
@inline
export function hardSigmoid4(x: v128): v128 {
  const y = f32x4.add(f32x4.mul(x, f32x4.splat(0.2)), f32x4.splat(0.5));
  return f32x4.pmin(f32x4.pmax(y, f32x4.splat(0.0)), f32x4.splat(1.0));
}

/** The recurrent activation: hard sigmoid or sigmoid. */
@inline
export function gate4(x: v128, hard: bool): v128 {
  return hard ? hardSigmoid4(x) : sigmoid4(x);
}

/**
 * The gate's derivative from its output y: y·(1 − y) for the sigmoid, 0.2 inside (0, 1) for the
 * hard sigmoid (0 where it is clipped).
 */
@inline
export function gateGrad4(y: v128, hard: bool): v128 {
  if (hard) {
    const inside = v128.and(f32x4.gt(y, f32x4.splat(0.0)), f32x4.lt(y, f32x4.splat(1.0)));
    return v128.and(f32x4.splat(0.2), inside);
  }
  return f32x4.mul(y, f32x4.sub(f32x4.splat(1.0), y));
}

/** tanh per lane: 1 − 2 / (e^{2x} + 1). */
@inline
export function tanh4(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const e = exp4(f32x4.add(x, x));
  return f32x4.sub(one, f32x4.div(f32x4.splat(2.0), f32x4.add(e, one)));
}

/**
 * x[0..count) = gate(x) in place (the sigmoid or hard sigmoid). A loop of its own, short per
 * vector, so that the CPU overlaps the long dependency chains of consecutive vectors; four vectors
 * an iteration, because V8 builds the polynomial's constants anew in every iteration.
 */
export function gateInPlace(p: usize, count: i32, hard: bool): void {
  let j = 0;
  if (hard) {
    for (; j + 4 <= count; j += 4) {
      const q = p + ((<usize>j) << 2);
      v128.store(q, hardSigmoid4(v128.load(q)));
    }
  } else {
    for (; j + 16 <= count; j += 16) {
      const q = p + ((<usize>j) << 2);
      const a = sigmoid4(v128.load(q));
      const b = sigmoid4(v128.load(q, 16));
      const c = sigmoid4(v128.load(q, 32));
      const d = sigmoid4(v128.load(q, 48));
      v128.store(q, a);
      v128.store(q, b, 16);
      v128.store(q, c, 32);
      v128.store(q, d, 48);
    }
    for (; j + 4 <= count; j += 4) {
      const q = p + ((<usize>j) << 2);
      v128.store(q, sigmoid4(v128.load(q)));
    }
  }
  if (j < count) {
    const q = p + ((<usize>j) << 2);
    store4(q, gate4(load4(q, count - j), hard), count - j);
  }
}

/** x[0..count) = tanh(x) in place, as `gateInPlace`. */
export function tanhInPlace(p: usize, count: i32): void {
  let j = 0;
  for (; j + 16 <= count; j += 16) {
    const q = p + ((<usize>j) << 2);
    const a = tanh4(v128.load(q));
    const b = tanh4(v128.load(q, 16));
    const c = tanh4(v128.load(q, 32));
    const d = tanh4(v128.load(q, 48));
    v128.store(q, a);
    v128.store(q, b, 16);
    v128.store(q, c, 32);
    v128.store(q, d, 48);
  }
  for (; j + 4 <= count; j += 4) {
    const q = p + ((<usize>j) << 2);
    v128.store(q, tanh4(v128.load(q)));
  }
  if (j < count) {
    const q = p + ((<usize>j) << 2);
    store4(q, tanh4(load4(q, count - j)), count - j);
  }
}

/** Four floats from `p`, or the `count` (< 4) that remain, the others 0. */
@inline
export function load4(p: usize, count: i32): v128 {
  if (count >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  if (count > 0) v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Stores four floats at `p`, or only the first `count` (< 4). */
@inline
export function store4(p: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(p, v);
    return;
  }
  if (count > 0) store<f32>(p, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/**
 * out[m, n] += A[m, k]·B[k, n], row-major with row strides in floats (A's `aStride`, B's
 * `bStride`, out's `outStride`: sub-blocks of wider matrices): rows of B scaled and added sixteen
 * (then four, then one) columns at a time.
 */
export function gemmAccumulate(
  a: usize,
  aStride: i32,
  b: usize,
  bStride: i32,
  out: usize,
  outStride: i32,
  m: i32,
  k: i32,
  n: i32,
): void {
  const bRow = (<usize>bStride) << 2;
  let i = 0;
  // Two rows at a time over sixteen columns: each row of B loaded once for both.
  for (; i + 2 <= m; i += 2) {
    const aRow0 = a + ((<usize>(i * aStride)) << 2);
    const aRow1 = aRow0 + ((<usize>aStride) << 2);
    const outRow0 = out + ((<usize>(i * outStride)) << 2);
    const outRow1 = outRow0 + ((<usize>outStride) << 2);
    let j = 0;
    for (; j + 16 <= n; j += 16) {
      const o0 = outRow0 + ((<usize>j) << 2);
      const o1 = outRow1 + ((<usize>j) << 2);
      let c0 = v128.load(o0);
      let c1 = v128.load(o0, 16);
      let c2 = v128.load(o0, 32);
      let c3 = v128.load(o0, 48);
      let d0 = v128.load(o1);
      let d1 = v128.load(o1, 16);
      let d2 = v128.load(o1, 32);
      let d3 = v128.load(o1, 48);
      let bp = b + ((<usize>j) << 2);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const b2 = v128.load(bp, 32);
        const b3 = v128.load(bp, 48);
        const u = v128.load32_splat(aRow0 + ((<usize>p) << 2));
        const v = v128.load32_splat(aRow1 + ((<usize>p) << 2));
        c0 = madd(u, b0, c0);
        c1 = madd(u, b1, c1);
        c2 = madd(u, b2, c2);
        c3 = madd(u, b3, c3);
        d0 = madd(v, b0, d0);
        d1 = madd(v, b1, d1);
        d2 = madd(v, b2, d2);
        d3 = madd(v, b3, d3);
        bp += bRow;
      }
      v128.store(o0, c0);
      v128.store(o0, c1, 16);
      v128.store(o0, c2, 32);
      v128.store(o0, c3, 48);
      v128.store(o1, d0);
      v128.store(o1, d1, 16);
      v128.store(o1, d2, 32);
      v128.store(o1, d3, 48);
    }
    if (j < n) {
      gemmRowTail(aRow0, b, bStride, outRow0, k, n, j);
      gemmRowTail(aRow1, b, bStride, outRow1, k, n, j);
    }
  }
  for (; i < m; i++) {
    const aRow = a + ((<usize>(i * aStride)) << 2);
    const outRow = out + ((<usize>(i * outStride)) << 2);
    let j = 0;
    for (; j + 16 <= n; j += 16) {
      const o = outRow + ((<usize>j) << 2);
      let c0 = v128.load(o);
      let c1 = v128.load(o, 16);
      let c2 = v128.load(o, 32);
      let c3 = v128.load(o, 48);
      let bp = b + ((<usize>j) << 2);
      for (let p = 0; p < k; p++) {
        const v = v128.load32_splat(aRow + ((<usize>p) << 2));
        c0 = madd(v, v128.load(bp), c0);
        c1 = madd(v, v128.load(bp, 16), c1);
        c2 = madd(v, v128.load(bp, 32), c2);
        c3 = madd(v, v128.load(bp, 48), c3);
        bp += bRow;
      }
      v128.store(o, c0);
      v128.store(o, c1, 16);
      v128.store(o, c2, 32);
      v128.store(o, c3, 48);
    }
    if (j < n) gemmRowTail(aRow, b, bStride, outRow, k, n, j);
  }
}

/** out[j..n) += a·B[:, j..n) for one row: four columns, then one, at a time. */
function gemmRowTail(
  aRow: usize,
  b: usize,
  bStride: i32,
  outRow: usize,
  k: i32,
  n: i32,
  from: i32,
): void {
  const bRow = (<usize>bStride) << 2;
  let j = from;
  for (; j + 4 <= n; j += 4) {
    const o = outRow + ((<usize>j) << 2);
    let c = v128.load(o);
    let bp = b + ((<usize>j) << 2);
    for (let p = 0; p < k; p++) {
      c = madd(v128.load32_splat(aRow + ((<usize>p) << 2)), v128.load(bp), c);
      bp += bRow;
    }
    v128.store(o, c);
  }
  for (; j < n; j++) {
    const o = outRow + ((<usize>j) << 2);
    let s = load<f32>(o);
    for (let p = 0; p < k; p++) {
      s += load<f32>(aRow + ((<usize>p) << 2)) * load<f32>(b + ((<usize>(p * bStride + j)) << 2));
    }
    store<f32>(o, s);
  }
}

/** Rows of A and B that `gemmTransposedA` takes per pass: a block of B (and A) stays in L1. */
const TRANSPOSED_A_BLOCK: i32 = 64;

/**
 * out[m, n] = A[k, m]ᵀ·B[k, n] (a weight gradient: inputs' rows times output gradients' rows),
 * row-major with row strides in floats as in `gemmAccumulate`. k is taken in blocks of 64 rows;
 * within one, two output rows × sixteen columns at a time, so that each row of B is loaded once
 * for two rows of the output, and B is read from memory once in all (not once per output row).
 */
export function gemmTransposedA(
  a: usize,
  aStride: i32,
  b: usize,
  bStride: i32,
  out: usize,
  outStride: i32,
  m: i32,
  k: i32,
  n: i32,
): void {
  for (let i = 0; i < m; i++) memory.fill(out + ((<usize>(i * outStride)) << 2), 0, (<usize>n) << 2);
  const aRow = (<usize>aStride) << 2;
  const bRow = (<usize>bStride) << 2;
  for (let p0 = 0; p0 < k; p0 += TRANSPOSED_A_BLOCK) {
    const kc = min(TRANSPOSED_A_BLOCK, k - p0);
    const aBlock = a + ((<usize>(p0 * aStride)) << 2);
    const bBlock = b + ((<usize>(p0 * bStride)) << 2);
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      const aCol = aBlock + ((<usize>i) << 2);
      const outRow0 = out + ((<usize>(i * outStride)) << 2);
      const outRow1 = outRow0 + ((<usize>outStride) << 2);
      let j = 0;
      for (; j + 16 <= n; j += 16) {
        const o0 = outRow0 + ((<usize>j) << 2);
        const o1 = outRow1 + ((<usize>j) << 2);
        let c0 = v128.load(o0);
        let c1 = v128.load(o0, 16);
        let c2 = v128.load(o0, 32);
        let c3 = v128.load(o0, 48);
        let d0 = v128.load(o1);
        let d1 = v128.load(o1, 16);
        let d2 = v128.load(o1, 32);
        let d3 = v128.load(o1, 48);
        let ap = aCol;
        let bp = bBlock + ((<usize>j) << 2);
        for (let p = 0; p < kc; p++) {
          const b0 = v128.load(bp);
          const b1 = v128.load(bp, 16);
          const b2 = v128.load(bp, 32);
          const b3 = v128.load(bp, 48);
          const u = v128.load32_splat(ap);
          const v = v128.load32_splat(ap, 4);
          c0 = madd(u, b0, c0);
          c1 = madd(u, b1, c1);
          c2 = madd(u, b2, c2);
          c3 = madd(u, b3, c3);
          d0 = madd(v, b0, d0);
          d1 = madd(v, b1, d1);
          d2 = madd(v, b2, d2);
          d3 = madd(v, b3, d3);
          ap += aRow;
          bp += bRow;
        }
        v128.store(o0, c0);
        v128.store(o0, c1, 16);
        v128.store(o0, c2, 32);
        v128.store(o0, c3, 48);
        v128.store(o1, d0);
        v128.store(o1, d1, 16);
        v128.store(o1, d2, 32);
        v128.store(o1, d3, 48);
      }
      if (j < n) {
        transposedARowTail(aCol, aRow, bBlock, bRow, outRow0, kc, n, j);
        transposedARowTail(aCol + 4, aRow, bBlock, bRow, outRow1, kc, n, j);
      }
    }
    if (i < m) {
      transposedARowTail(
        aBlock + ((<usize>i) << 2),
        aRow,
        bBlock,
        bRow,
        out + ((<usize>(i * outStride)) << 2),
        kc,
        n,
        0,
      );
    }
  }
}

/**
 * outRow[from..n) += Σ_p a[p]·B[p, from..n) over k rows, a's elements `aRow` bytes apart: sixteen,
 * four, then one column at a time.
 */
function transposedARowTail(
  aCol: usize,
  aRow: usize,
  b: usize,
  bRow: usize,
  outRow: usize,
  k: i32,
  n: i32,
  from: i32,
): void {
  let j = from;
  for (; j + 16 <= n; j += 16) {
    const o = outRow + ((<usize>j) << 2);
    let c0 = v128.load(o);
    let c1 = v128.load(o, 16);
    let c2 = v128.load(o, 32);
    let c3 = v128.load(o, 48);
    let ap = aCol;
    let bp = b + ((<usize>j) << 2);
    for (let p = 0; p < k; p++) {
      const v = v128.load32_splat(ap);
      c0 = madd(v, v128.load(bp), c0);
      c1 = madd(v, v128.load(bp, 16), c1);
      c2 = madd(v, v128.load(bp, 32), c2);
      c3 = madd(v, v128.load(bp, 48), c3);
      ap += aRow;
      bp += bRow;
    }
    v128.store(o, c0);
    v128.store(o, c1, 16);
    v128.store(o, c2, 32);
    v128.store(o, c3, 48);
  }
  for (; j + 4 <= n; j += 4) {
    const o = outRow + ((<usize>j) << 2);
    let c = v128.load(o);
    let ap = aCol;
    let bp = b + ((<usize>j) << 2);
    for (let p = 0; p < k; p++) {
      c = madd(v128.load32_splat(ap), v128.load(bp), c);
      ap += aRow;
      bp += bRow;
    }
    v128.store(o, c);
  }
  for (; j < n; j++) {
    const o = outRow + ((<usize>j) << 2);
    let s = load<f32>(o);
    let ap = aCol;
    let bp = b + ((<usize>j) << 2);
    for (let p = 0; p < k; p++) {
      s += load<f32>(ap) * load<f32>(bp);
      ap += aRow;
      bp += bRow;
    }
    store<f32>(o, s);
  }
}
