/**
 * out[c] = scale · Σ_r x[r, c] over float32 [rows, width] in the tfjs wasm heap (a sum over
 * leading axes: bias gradients, per-channel statistics), four columns at a time, in float32 over
 * blocks of 64 rows added up in float64. `scratch` holds 3 × width floats, 8-byte aligned.
 */
export function columnSums(x: usize, out: usize, rows: i32, width: i32, scale: f64, scratch: usize): void {
  const totals = scratch;
  const block = scratch + ((<usize>width) << 3);
  const rowBytes = (<usize>width) << 2;
  const vectorEnd = width & ~3;
  memory.fill(totals, 0, (<usize>width) << 3);
  for (let start = 0; start < rows; start += 64) {
    const end = min(rows, start + 64);
    memory.fill(block, 0, rowBytes);
    for (let r = start; r < end; r++) {
      const row = x + (<usize>r) * rowBytes;
      let c = 0;
      for (; c < vectorEnd; c += 4) {
        const o = (<usize>c) << 2;
        v128.store(block + o, f32x4.add(v128.load(block + o), v128.load(row + o)));
      }
      for (; c < width; c++) {
        const o = (<usize>c) << 2;
        store<f32>(block + o, load<f32>(block + o) + load<f32>(row + o));
      }
    }
    for (let c = 0; c < width; c++) {
      const o64 = (<usize>c) << 3;
      store<f64>(totals + o64, load<f64>(totals + o64) + <f64>load<f32>(block + ((<usize>c) << 2)));
    }
  }
  for (let c = 0; c < width; c++) {
    store<f32>(out + ((<usize>c) << 2), <f32>(load<f64>(totals + ((<usize>c) << 3)) * scale));
  }
}
