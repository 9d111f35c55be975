/** dx = dy where x > 0, else 0 (TensorFlow's ReLU gradient: none at 0), four at a time. */
export function reluGrad(dy: usize, x: usize, dx: usize, size: i32): void {
  const zero = f32x4.splat(0);
  const vectorEnd = size & ~3;
  let i = 0;
  for (; i < vectorEnd; i += 4) {
    const o = (<usize>i) << 2;
    const positive = f32x4.gt(v128.load(x + o), zero);
    v128.store(dx + o, v128.and(v128.load(dy + o), positive));
  }
  for (; i < size; i++) {
    const o = (<usize>i) << 2;
    store<f32>(dx + o, load<f32>(x + o) > 0 ? load<f32>(dy + o) : 0);
  }
}
