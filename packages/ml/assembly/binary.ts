/**
 * out = a ∘ b element-wise over float32s in the tfjs wasm heap, for ∘ in add (0), subtract (1),
 * multiply (2), divide (3). Each operand repeats with a period: `size` for a full operand, 1 for a
 * scalar, the row length for a bias-like trailing broadcast ([n] against [m, n]). For the small
 * tensors of dense and recurrent layers, where XNNPACK's per-call operator setup dominates.
 */
export function binary(
  op: i32,
  a: usize,
  aPeriod: i32,
  b: usize,
  bPeriod: i32,
  out: usize,
  size: i32,
): void {
  const sa = f32x4.splat(load<f32>(a));
  const sb = f32x4.splat(load<f32>(b));
  const vectors = (aPeriod == 1 || (aPeriod & 3) == 0) && (bPeriod == 1 || (bPeriod & 3) == 0);
  const vectorEnd = vectors ? size & ~3 : 0;
  let ia = 0;
  let ib = 0;
  let i = 0;
  for (; i < vectorEnd; i += 4) {
    const x = aPeriod == 1 ? sa : v128.load(a + ((<usize>ia) << 2));
    const y = bPeriod == 1 ? sb : v128.load(b + ((<usize>ib) << 2));
    let z: v128;
    if (op == 0) z = f32x4.add(x, y);
    else if (op == 1) z = f32x4.sub(x, y);
    else if (op == 2) z = f32x4.mul(x, y);
    else z = f32x4.div(x, y);
    v128.store(out + ((<usize>i) << 2), z);
    ia += 4;
    if (ia >= aPeriod) ia = 0;
    ib += 4;
    if (ib >= bPeriod) ib = 0;
  }
  for (; i < size; i++) {
    const x = load<f32>(a + ((<usize>(i % aPeriod)) << 2));
    const y = load<f32>(b + ((<usize>(i % bPeriod)) << 2));
    let z: f32;
    if (op == 0) z = x + y;
    else if (op == 1) z = x - y;
    else if (op == 2) z = x * y;
    else z = x / y;
    store<f32>(out + ((<usize>i) << 2), z);
  }
}

/**
 * `binary` where an operand may also hold each value for `repeat` consecutive outputs: element i
 * of the output reads a[(i / aRepeat) % aPeriod] and b likewise. Covers a column broadcast such as
 * [m, 1] against [m, n] (softmax's normalisation in a loss) for small tensors, one value at a time.
 */
export function binaryRepeated(
  op: i32,
  a: usize,
  aPeriod: i32,
  aRepeat: i32,
  b: usize,
  bPeriod: i32,
  bRepeat: i32,
  out: usize,
  size: i32,
): void {
  for (let i = 0; i < size; i++) {
    const x = load<f32>(a + ((<usize>((i / aRepeat) % aPeriod)) << 2));
    const y = load<f32>(b + ((<usize>((i / bRepeat) % bPeriod)) << 2));
    let z: f32;
    if (op == 0) z = x + y;
    else if (op == 1) z = x - y;
    else if (op == 2) z = x * y;
    else z = x / y;
    store<f32>(out + ((<usize>i) << 2), z);
  }
}
