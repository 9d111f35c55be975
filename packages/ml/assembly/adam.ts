/**
 * One Adam step over a float32 variable in the tfjs wasm heap, in the order of tfjs's own ops:
 *   m' = m·β1 + g·(1 − β1);  v' = v·β2 + g²·(1 − β2)
 *   w' = (m'/c1) / (√(v'/c2) + ε) · (−lr) + w,   c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ
 * except that /c1 and /c2 are products with their reciprocals (a last-bit difference): one
 * division and one square root per value, which share the CPU's divider (four made this loop
 * divider-bound over an embedding's 320k values).
 */
export function adamUpdate(
  value: usize,
  m: usize,
  v: usize,
  gradient: usize,
  outValue: usize,
  outM: usize,
  outV: usize,
  size: i32,
  negativeLr: f32,
  beta1: f32,
  oneMinusBeta1: f32,
  beta2: f32,
  oneMinusBeta2: f32,
  epsilon: f32,
  c1: f32,
  c2: f32,
): void {
  const vb1 = f32x4.splat(beta1);
  const vnb1 = f32x4.splat(oneMinusBeta1);
  const vb2 = f32x4.splat(beta2);
  const vnb2 = f32x4.splat(oneMinusBeta2);
  const veps = f32x4.splat(epsilon);
  const r1: f32 = 1 / c1;
  const r2: f32 = 1 / c2;
  const vr1 = f32x4.splat(r1);
  const vr2 = f32x4.splat(r2);
  const vlr = f32x4.splat(negativeLr);
  const vectorEnd = size & ~3;
  let i = 0;
  for (; i < vectorEnd; i += 4) {
    const o = (<usize>i) << 2;
    const g = v128.load(gradient + o);
    const m1 = f32x4.add(f32x4.mul(v128.load(m + o), vb1), f32x4.mul(g, vnb1));
    const v1 = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(f32x4.mul(g, g), vnb2));
    const step = f32x4.div(f32x4.mul(m1, vr1), f32x4.add(f32x4.sqrt(f32x4.mul(v1, vr2)), veps));
    v128.store(outM + o, m1);
    v128.store(outV + o, v1);
    v128.store(outValue + o, f32x4.add(f32x4.mul(step, vlr), v128.load(value + o)));
  }
  for (; i < size; i++) {
    const o = (<usize>i) << 2;
    const g = load<f32>(gradient + o);
    const m1 = load<f32>(m + o) * beta1 + g * oneMinusBeta1;
    const v1 = load<f32>(v + o) * beta2 + g * g * oneMinusBeta2;
    const step = (m1 * r1) / (<f32>Math.sqrt(v1 * r2) + epsilon);
    store<f32>(outM + o, m1);
    store<f32>(outV + o, v1);
    store<f32>(outValue + o, step * negativeLr + load<f32>(value + o));
  }
}
