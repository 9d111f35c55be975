/**
 * out[m, n] = A·B for small float32 matrices in the tfjs wasm heap, A [m, k] (or [k, m] when
 * `transposeA`) and B [k, n] (or [n, k] when `transposeB`). Meant for the products of dense and
 * recurrent layers at small batch sizes, where XNNPACK's per-call operator setup costs more than
 * the arithmetic: rows of B are scaled and added four or sixteen columns at a time, or, with B
 * transposed, rows dotted with rows.
 */
export function matmul(
  a: usize,
  b: usize,
  out: usize,
  m: i32,
  k: i32,
  n: i32,
  transposeA: bool,
  transposeB: bool,
): void {
  if (transposeB) {
    if (transposeA) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s: f32 = 0;
          for (let p = 0; p < k; p++) s += at(a, p * m + i) * at(b, j * k + p);
          store<f32>(out + ((<usize>(i * n + j)) << 2), s);
        }
      }
      return;
    }
    for (let i = 0; i < m; i++) {
      const row = a + ((<usize>(i * k)) << 2);
      for (let j = 0; j < n; j++) {
        store<f32>(out + ((<usize>(i * n + j)) << 2), dot(row, b + ((<usize>(j * k)) << 2), k));
      }
    }
    return;
  }
  // A's element (i, p) is at i·aRow + p·aCol.
  const aRow = transposeA ? 1 : k;
  const aCol = transposeA ? m : 1;
  const bRow = (<usize>n) << 2;
  for (let i = 0; i < m; i++) {
    const outRow = out + ((<usize>(i * n)) << 2);
    let j = 0;
    for (; j + 16 <= n; j += 16) {
      let c0 = f32x4.splat(0);
      let c1 = f32x4.splat(0);
      let c2 = f32x4.splat(0);
      let c3 = f32x4.splat(0);
      let bp = b + ((<usize>j) << 2);
      for (let p = 0; p < k; p++) {
        const v = f32x4.splat(at(a, i * aRow + p * aCol));
        c0 = f32x4.add(c0, f32x4.mul(v, v128.load(bp)));
        c1 = f32x4.add(c1, f32x4.mul(v, v128.load(bp, 16)));
        c2 = f32x4.add(c2, f32x4.mul(v, v128.load(bp, 32)));
        c3 = f32x4.add(c3, f32x4.mul(v, v128.load(bp, 48)));
        bp += bRow;
      }
      const o = outRow + ((<usize>j) << 2);
      v128.store(o, c0);
      v128.store(o, c1, 16);
      v128.store(o, c2, 32);
      v128.store(o, c3, 48);
    }
    for (; j + 4 <= n; j += 4) {
      let c = f32x4.splat(0);
      let bp = b + ((<usize>j) << 2);
      for (let p = 0; p < k; p++) {
        c = f32x4.add(c, f32x4.mul(f32x4.splat(at(a, i * aRow + p * aCol)), v128.load(bp)));
        bp += bRow;
      }
      v128.store(outRow + ((<usize>j) << 2), c);
    }
    for (; j < n; j++) {
      let s: f32 = 0;
      for (let p = 0; p < k; p++) s += at(a, i * aRow + p * aCol) * at(b, p * n + j);
      store<f32>(outRow + ((<usize>j) << 2), s);
    }
  }
}

@inline
function at(base: usize, index: i32): f32 {
  return load<f32>(base + ((<usize>index) << 2));
}

/** Σ x[p]·y[p] over `length` contiguous floats. */
@inline
function dot(x: usize, y: usize, length: i32): f32 {
  let acc = f32x4.splat(0);
  let p = 0;
  for (; p + 4 <= length; p += 4) {
    const o = (<usize>p) << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(x + o), v128.load(y + o)));
  }
  let s =
    f32x4.extract_lane(acc, 0) +
    f32x4.extract_lane(acc, 1) +
    f32x4.extract_lane(acc, 2) +
    f32x4.extract_lane(acc, 3);
  for (; p < length; p++) s += at(x, p) * at(y, p);
  return s;
}
