import { addInto, bytes, copyRow } from './sequence-layout';

/**
 * out[r, :] = x[ids[r], :] for `count` rows of `width` 4-byte values (float32 or int32, copied
 * bitwise): an embedding lookup. ids are int32 and already checked to lie in x's rows.
 */
export function gatherRows(x: usize, ids: usize, out: usize, count: i32, width: i32): void {
  for (let r = 0; r < count; r++) {
    const id = load<i32>(ids + bytes(r));
    copyRow(out + bytes(r * width), x + (<usize>id) * bytes(width), width);
  }
}

/**
 * out[s, :] = Σ x[r, :] over the rows r with ids[r] = s, for s in [0, segments) (the gradient of
 * `gatherRows`); ids outside [0, segments) are dropped, as in TensorFlow. x float32 [count, width].
 */
export function segmentSumRows(
  x: usize,
  ids: usize,
  out: usize,
  count: i32,
  width: i32,
  segments: i32,
): void {
  memory.fill(out, 0, bytes(segments * width));
  for (let r = 0; r < count; r++) {
    const id = load<i32>(ids + bytes(r));
    if (id < 0 || id >= segments) continue;
    addInto(out + bytes(id * width), x + bytes(r * width), width);
  }
}
