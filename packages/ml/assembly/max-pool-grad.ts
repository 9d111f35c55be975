/**
 * Max-pool gradient over NHWC float32 tensors in the tfjs wasm heap: each output's gradient goes to
 * the first largest input of its window (TensorFlow's scan order), four channels at a time. `dx`
 * must be zeroed by the caller (windows may overlap, so gradients are added).
 */
export function maxPoolGrad(
  x: usize,
  dy: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  outH: i32,
  outW: i32,
  filterH: i32,
  filterW: i32,
  strideH: i32,
  strideW: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const lanes = i32x4(0, 1, 2, 3);
  const none = i32x4.splat(-1);
  const vectorEnd = channels & ~3;
  let g = dy;
  for (let b = 0; b < batch; b++) {
    const base = b * inH * inW;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      const rBegin = max(0, -y0);
      const rEnd = min(filterH, inH - y0);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * strideW - padLeft;
        const sBegin = max(0, -x0);
        const sEnd = min(filterW, inW - x0);
        let c = 0;
        for (; c < vectorEnd; c += 4) {
          let best = f32x4.splat(-Infinity);
          let at = none;
          for (let r = rBegin; r < rEnd; r++) {
            for (let s = sBegin; s < sEnd; s++) {
              const index = (base + (y0 + r) * inW + x0 + s) * channels + c;
              const v = v128.load(x + ((<usize>index) << 2));
              const greater = f32x4.gt(v, best);
              best = v128.bitselect(v, best, greater);
              at = v128.bitselect(i32x4.add(i32x4.splat(index), lanes), at, greater);
            }
          }
          const grads = v128.load(g + ((<usize>c) << 2));
          addAt(dx, i32x4.extract_lane(at, 0), f32x4.extract_lane(grads, 0));
          addAt(dx, i32x4.extract_lane(at, 1), f32x4.extract_lane(grads, 1));
          addAt(dx, i32x4.extract_lane(at, 2), f32x4.extract_lane(grads, 2));
          addAt(dx, i32x4.extract_lane(at, 3), f32x4.extract_lane(grads, 3));
        }
        for (; c < channels; c++) {
          let best: f32 = -Infinity;
          let at = -1;
          for (let r = rBegin; r < rEnd; r++) {
            for (let s = sBegin; s < sEnd; s++) {
              const index = (base + (y0 + r) * inW + x0 + s) * channels + c;
              const v = load<f32>(x + ((<usize>index) << 2));
              if (v > best) {
                best = v;
                at = index;
              }
            }
          }
          addAt(dx, at, load<f32>(g + ((<usize>c) << 2)));
        }
        g += (<usize>channels) << 2;
      }
    }
  }
}

@inline
function addAt(dx: usize, index: i32, value: f32): void {
  if (index < 0) return;
  const p = dx + ((<usize>index) << 2);
  store<f32>(p, load<f32>(p) + value);
}
