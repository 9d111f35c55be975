/**
 * A stride-1, dilation-1 NHWC convolution, float32 tensors in the tfjs wasm heap:
 *
 *   out[n, y, x, o] = Σ_{r,s,c} x[n, y + r - padTop, x + s - padLeft, c] · W[r, s, c, o]
 *
 * with W = w ([kh, kw, ci, co]) or, with `flip`, the filter of the input gradient of a convolution
 * whose filter is w ([kh, kw, co, ci]): W[r, s, c, o] = w[kh-1-r, kw-1-s, o, c]. So the same code
 * runs the forward pass (x → y) and the input gradient (dy → dx) of a stride-1 convolution.
 *
 * Direct convolution, no im2col: the weights are packed once per call into blocks of 8 output
 * channels ([co/8][kh][kw][ci][8]), each image is copied into a zero-padded buffer, and 6 output
 * pixels × 8 channels (12 registers) are accumulated at a time. For one filter row r the taps
 * (s, c) of a pixel are contiguous in the padded image (kw·ci floats), and so are their weights,
 * so the inner loop walks both with constant offsets, 4 taps per iteration. co must be a multiple
 * of 8 (the caller falls back to XNNPACK otherwise).
 *
 * scratch: kh·kw·ci·co floats of packed weights, then one padded image, (outH+kh-1)·(outW+kw-1)·ci.
 */
import { madd } from './madd';

// The geometry of the current call, read by the block kernels.
let taps = 0; // kw·ci: the contiguous taps of one filter row
let rows = 0; // kh
let rowBytes: usize = 0; // one row of the padded image
let pixelBytes: usize = 0; // one output pixel (co floats)

export function conv2dForward(
  x: usize,
  w: usize,
  out: usize,
  scratch: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  ci: i32,
  outH: i32,
  outW: i32,
  co: i32,
  kh: i32,
  kw: i32,
  padTop: i32,
  padLeft: i32,
  flip: i32,
): void {
  packWeights(w, scratch, kh, kw, ci, co, flip);
  const image = scratch + (<usize>(kh * kw * ci * co) << 2);
  const paddedH = outH + kh - 1;
  const paddedW = outW + kw - 1;
  taps = kw * ci;
  rows = kh;
  rowBytes = <usize>(paddedW * ci) << 2;
  pixelBytes = <usize>co << 2;
  const inPixelBytes = <usize>ci << 2;
  const blockBytes = <usize>(kh * kw * ci * 8) << 2;
  const pixels = outH * outW;
  // Columns of x that land inside the padded image (the rest are cut off, as 'valid' would).
  const x0 = max(0, -padLeft);
  const x1 = min(inW, paddedW - padLeft);
  memory.fill(image, 0, <usize>(paddedH * paddedW * ci) << 2);
  for (let n = 0; n < batch; n++) {
    if (x1 > x0) {
      for (let y = 0; y < inH; y++) {
        const py = y + padTop;
        if (py < 0 || py >= paddedH) continue;
        memory.copy(
          image + (<usize>((py * paddedW + x0 + padLeft) * ci) << 2),
          x + (<usize>(((n * inH + y) * inW + x0) * ci) << 2),
          <usize>((x1 - x0) * ci) << 2,
        );
      }
    }
    const outImage = out + <usize>(n * pixels) * pixelBytes;
    for (let o = 0; o < co; o += 8) {
      const wp = scratch + <usize>(o >> 3) * blockBytes;
      let p = 0;
      for (; p + 6 <= pixels; p += 6) {
        block6(
          topLeft(image, p, outW, paddedW, inPixelBytes),
          topLeft(image, p + 1, outW, paddedW, inPixelBytes),
          topLeft(image, p + 2, outW, paddedW, inPixelBytes),
          topLeft(image, p + 3, outW, paddedW, inPixelBytes),
          topLeft(image, p + 4, outW, paddedW, inPixelBytes),
          topLeft(image, p + 5, outW, paddedW, inPixelBytes),
          wp,
          outImage + <usize>p * pixelBytes + (<usize>o << 2),
        );
      }
      for (; p < pixels; p++) {
        const q = topLeft(image, p, outW, paddedW, inPixelBytes);
        block1(q, wp, outImage + <usize>p * pixelBytes + (<usize>o << 2));
      }
    }
  }
}

/** The top-left tap of output pixel p (row-major) in the padded image. */
@inline
function topLeft(image: usize, p: i32, outW: i32, paddedW: i32, inPixelBytes: usize): usize {
  const y = p / outW;
  return image + <usize>(y * paddedW + (p - y * outW)) * inPixelBytes;
}

/** Packs W (see above) as [co/8][kh][kw][ci][8] at `packed`. */
function packWeights(w: usize, packed: usize, kh: i32, kw: i32, ci: i32, co: i32, flip: i32): void {
  let p = packed;
  for (let b = 0; b < co; b += 8) {
    for (let r = 0; r < kh; r++) {
      for (let s = 0; s < kw; s++) {
        for (let c = 0; c < ci; c++) {
          for (let l = 0; l < 8; l++) {
            const o = b + l;
            const at = flip
              ? (((kh - 1 - r) * kw + (kw - 1 - s)) * co + o) * ci + c
              : ((r * kw + s) * ci + c) * co + o;
            store<f32>(p, load<f32>(w + (<usize>at << 2)));
            p += 4;
          }
        }
      }
    }
  }
}

/** 6 output pixels × 8 channels; p0…p5 are the pixels' top-left taps, wp the channel block. */
function block6(
  p0: usize,
  p1: usize,
  p2: usize,
  p3: usize,
  p4: usize,
  p5: usize,
  wp: usize,
  o: usize,
): void {
  let a0 = f32x4.splat(0);
  let b0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let b1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let b2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let b3 = f32x4.splat(0);
  let a4 = f32x4.splat(0);
  let b4 = f32x4.splat(0);
  let a5 = f32x4.splat(0);
  let b5 = f32x4.splat(0);
  const quads = taps >> 2;
  const rest = taps & 3;
  for (let r = 0; r < rows; r++) {
    let q0 = p0;
    let q1 = p1;
    let q2 = p2;
    let q3 = p3;
    let q4 = p4;
    let q5 = p5;
    for (let j = 0; j < quads; j++) {
      let g0 = v128.load(wp);
      let g1 = v128.load(wp, 16);
      let v = v128.load32_splat(q0);
      a0 = madd(v, g0, a0);
      b0 = madd(v, g1, b0);
      v = v128.load32_splat(q1);
      a1 = madd(v, g0, a1);
      b1 = madd(v, g1, b1);
      v = v128.load32_splat(q2);
      a2 = madd(v, g0, a2);
      b2 = madd(v, g1, b2);
      v = v128.load32_splat(q3);
      a3 = madd(v, g0, a3);
      b3 = madd(v, g1, b3);
      v = v128.load32_splat(q4);
      a4 = madd(v, g0, a4);
      b4 = madd(v, g1, b4);
      v = v128.load32_splat(q5);
      a5 = madd(v, g0, a5);
      b5 = madd(v, g1, b5);
      g0 = v128.load(wp, 32);
      g1 = v128.load(wp, 48);
      v = v128.load32_splat(q0, 4);
      a0 = madd(v, g0, a0);
      b0 = madd(v, g1, b0);
      v = v128.load32_splat(q1, 4);
      a1 = madd(v, g0, a1);
      b1 = madd(v, g1, b1);
      v = v128.load32_splat(q2, 4);
      a2 = madd(v, g0, a2);
      b2 = madd(v, g1, b2);
      v = v128.load32_splat(q3, 4);
      a3 = madd(v, g0, a3);
      b3 = madd(v, g1, b3);
      v = v128.load32_splat(q4, 4);
      a4 = madd(v, g0, a4);
      b4 = madd(v, g1, b4);
      v = v128.load32_splat(q5, 4);
      a5 = madd(v, g0, a5);
      b5 = madd(v, g1, b5);
      g0 = v128.load(wp, 64);
      g1 = v128.load(wp, 80);
      v = v128.load32_splat(q0, 8);
      a0 = madd(v, g0, a0);
      b0 = madd(v, g1, b0);
      v = v128.load32_splat(q1, 8);
      a1 = madd(v, g0, a1);
      b1 = madd(v, g1, b1);
      v = v128.load32_splat(q2, 8);
      a2 = madd(v, g0, a2);
      b2 = madd(v, g1, b2);
      v = v128.load32_splat(q3, 8);
      a3 = madd(v, g0, a3);
      b3 = madd(v, g1, b3);
      v = v128.load32_splat(q4, 8);
      a4 = madd(v, g0, a4);
      b4 = madd(v, g1, b4);
      v = v128.load32_splat(q5, 8);
      a5 = madd(v, g0, a5);
      b5 = madd(v, g1, b5);
      g0 = v128.load(wp, 96);
      g1 = v128.load(wp, 112);
      v = v128.load32_splat(q0, 12);
      a0 = madd(v, g0, a0);
      b0 = madd(v, g1, b0);
      v = v128.load32_splat(q1, 12);
      a1 = madd(v, g0, a1);
      b1 = madd(v, g1, b1);
      v = v128.load32_splat(q2, 12);
      a2 = madd(v, g0, a2);
      b2 = madd(v, g1, b2);
      v = v128.load32_splat(q3, 12);
      a3 = madd(v, g0, a3);
      b3 = madd(v, g1, b3);
      v = v128.load32_splat(q4, 12);
      a4 = madd(v, g0, a4);
      b4 = madd(v, g1, b4);
      v = v128.load32_splat(q5, 12);
      a5 = madd(v, g0, a5);
      b5 = madd(v, g1, b5);
      q0 += 16;
      q1 += 16;
      q2 += 16;
      q3 += 16;
      q4 += 16;
      q5 += 16;
      wp += 128;
    }
    for (let j = 0; j < rest; j++) {
      const g0 = v128.load(wp);
      const g1 = v128.load(wp, 16);
      let v = v128.load32_splat(q0);
      a0 = madd(v, g0, a0);
      b0 = madd(v, g1, b0);
      v = v128.load32_splat(q1);
      a1 = madd(v, g0, a1);
      b1 = madd(v, g1, b1);
      v = v128.load32_splat(q2);
      a2 = madd(v, g0, a2);
      b2 = madd(v, g1, b2);
      v = v128.load32_splat(q3);
      a3 = madd(v, g0, a3);
      b3 = madd(v, g1, b3);
      v = v128.load32_splat(q4);
      a4 = madd(v, g0, a4);
      b4 = madd(v, g1, b4);
      v = v128.load32_splat(q5);
      a5 = madd(v, g0, a5);
      b5 = madd(v, g1, b5);
      q0 += 4;
      q1 += 4;
      q2 += 4;
      q3 += 4;
      q4 += 4;
      q5 += 4;
      wp += 32;
    }
    p0 += rowBytes;
    p1 += rowBytes;
    p2 += rowBytes;
    p3 += rowBytes;
    p4 += rowBytes;
    p5 += rowBytes;
  }
  const step = pixelBytes;
  v128.store(o, a0);
  v128.store(o, b0, 16);
  v128.store(o + step, a1);
  v128.store(o + step, b1, 16);
  v128.store(o + 2 * step, a2);
  v128.store(o + 2 * step, b2, 16);
  v128.store(o + 3 * step, a3);
  v128.store(o + 3 * step, b3, 16);
  v128.store(o + 4 * step, a4);
  v128.store(o + 4 * step, b4, 16);
  v128.store(o + 5 * step, a5);
  v128.store(o + 5 * step, b5, 16);
}

/** One output pixel × 8 channels (the pixels left over after the blocks of 6). */
function block1(p: usize, wp: usize, o: usize): void {
  let a = f32x4.splat(0);
  let b = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    let q = p;
    for (let j = 0; j < taps; j++) {
      const v = v128.load32_splat(q);
      a = madd(v, v128.load(wp), a);
      b = madd(v, v128.load(wp, 16), b);
      q += 4;
      wp += 32;
    }
    p += rowBytes;
  }
  v128.store(o, a);
  v128.store(o, b, 16);
}
