/** Layout helpers of the recurrent kernels (sizes in floats, pointers in bytes). */

@inline
export function bytes(floats: i32): usize {
  return (<usize>floats) << 2;
}

/**
 * to[0..count) = from[0..count) for a short row of floats: a SIMD loop, where `memory.copy` is a
 * call out of the module (V8) that costs more than the copy for the rows of a sequence.
 */
@inline
export function copyRow(to: usize, from: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = bytes(i);
    v128.store(to + o, v128.load(from + o));
  }
  for (; i < count; i++) {
    const o = bytes(i);
    store<f32>(to + o, load<f32>(from + o));
  }
}

/** xs[s, b, :] = x[b, t, :], t = s (or T − 1 − s going backwards): step-major rows. */
export function toStepMajor(
  x: usize,
  xs: usize,
  batch: i32,
  steps: i32,
  dim: i32,
  goBackwards: bool,
): void {
  for (let s = 0; s < steps; s++) {
    const t = goBackwards ? steps - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      copyRow(xs + bytes((s * batch + b) * dim), x + bytes((b * steps + t) * dim), dim);
    }
  }
}

/** x[b, t, :] = xs[s, b, :]: `toStepMajor`'s inverse. */
export function fromStepMajor(
  xs: usize,
  x: usize,
  batch: i32,
  steps: i32,
  dim: i32,
  goBackwards: bool,
): void {
  for (let s = 0; s < steps; s++) {
    const t = goBackwards ? steps - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      copyRow(x + bytes((b * steps + t) * dim), xs + bytes((s * batch + b) * dim), dim);
    }
  }
}

/** out[c, r] = x[r, c] for x [rows, cols]. */
export function transpose2d(x: usize, out: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      store<f32>(out + bytes(c * rows + r), load<f32>(x + bytes(r * cols + c)));
    }
  }
}

/** to[i] += from[i] for `count` floats. */
export function addInto(to: usize, from: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = bytes(i);
    v128.store(to + o, f32x4.add(v128.load(to + o), v128.load(from + o)));
  }
  for (; i < count; i++) {
    const o = bytes(i);
    store<f32>(to + o, load<f32>(to + o) + load<f32>(from + o));
  }
}

/** out[c] = Σ_r x[r, c] over x [rows, width]. */
export function columnTotals(x: usize, out: usize, rows: i32, width: i32): void {
  memory.fill(out, 0, bytes(width));
  for (let r = 0; r < rows; r++) addInto(out, x + bytes(r * width), width);
}
