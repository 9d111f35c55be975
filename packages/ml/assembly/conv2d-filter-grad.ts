/**
 * The filter gradient of an NHWC convolution, float32 tensors in the tfjs wasm heap:
 *
 *   dW[r, s, ci, co] = Σ_{n,y,x} x[n, y·sh + r·dh - pt, x·sw + s·dw - pl, ci] · dy[n, y, x, co]
 *
 * For each filter tap, blocks of dW are accumulated in registers over one pass across the pixels
 * of dy that meet the input: 4 input × 8 output channels at a time, or 1 × 16 when there are fewer
 * than 4 input channels (a first layer on grey or RGB images); the rest 1 × 4 and one by one.
 * dW is [kh, kw, ci, co]. Multiply-adds are fused in the relaxed-SIMD build (`madd.ts`).
 */

import { madd } from './madd';

// The geometry of the current call and tap, shared by the block kernels below.
let batch = 0;
let inH = 0;
let inW = 0;
let inC = 0;
let outH = 0;
let outW = 0;
let outC = 0;
let strideH = 0;
let strideW = 0;
let yBegin = 0;
let yEnd = 0;
let xBegin = 0;
let xEnd = 0;
let rowShift = 0;
let colShift = 0;

export function conv2dFilterGrad(
  x: usize,
  dy: usize,
  dw: usize,
  batchSize: i32,
  inHeight: i32,
  inWidth: i32,
  inChannels: i32,
  outHeight: i32,
  outWidth: i32,
  outChannels: i32,
  filterH: i32,
  filterW: i32,
  sh: i32,
  sw: i32,
  dilationH: i32,
  dilationW: i32,
  padTop: i32,
  padLeft: i32,
): void {
  batch = batchSize;
  inH = inHeight;
  inW = inWidth;
  inC = inChannels;
  outH = outHeight;
  outW = outWidth;
  outC = outChannels;
  strideH = sh;
  strideW = sw;
  for (let r = 0; r < filterH; r++) {
    rowShift = r * dilationH - padTop;
    yBegin = max(0, ceilDiv(-rowShift, sh));
    yEnd = min(outH, ceilDiv(inH - rowShift, sh));
    for (let s = 0; s < filterW; s++) {
      colShift = s * dilationW - padLeft;
      xBegin = max(0, ceilDiv(-colShift, sw));
      xEnd = min(outW, ceilDiv(inW - colShift, sw));
      const tap = dw + (<usize>((r * filterW + s) * inC * outC) << 2);
      let co = 0;
      if (inC >= 4) {
        for (; co + 8 <= outC; co += 8) {
          let ci = 0;
          for (; ci + 4 <= inC; ci += 4) block4x8(x, dy, tap, ci, co);
          for (; ci < inC; ci++) {
            block1x4(x, dy, tap, ci, co);
            block1x4(x, dy, tap, ci, co + 4);
          }
        }
      } else {
        for (; co + 16 <= outC; co += 16) {
          for (let ci = 0; ci < inC; ci++) block1x16(x, dy, tap, ci, co);
        }
      }
      for (; co + 4 <= outC; co += 4) {
        for (let ci = 0; ci < inC; ci++) block1x4(x, dy, tap, ci, co);
      }
      for (; co < outC; co++) {
        for (let ci = 0; ci < inC; ci++) block1x1(x, dy, tap, ci, co);
      }
    }
  }
}

@inline
function ceilDiv(a: i32, b: i32): i32 {
  return a >= 0 ? (a + b - 1) / b : -(-a / b);
}

/** The address of x[n, y·sh + rowShift, xBegin·sw + colShift, ci]. */
@inline
function xRow(x: usize, n: i32, y: i32, ci: i32): usize {
  const iy = y * strideH + rowShift;
  return x + (<usize>(((n * inH + iy) * inW + xBegin * strideW + colShift) * inC + ci) << 2);
}

/** The address of dy[n, y, xBegin, co]. */
@inline
function dyRow(dy: usize, n: i32, y: i32, co: i32): usize {
  return dy + (<usize>(((n * outH + y) * outW + xBegin) * outC + co) << 2);
}

@inline
function outAt(tap: usize, ci: i32, co: i32): usize {
  return tap + (<usize>(ci * outC + co) << 2);
}

function block4x8(x: usize, dy: usize, tap: usize, ci: i32, co: i32): void {
  let a0 = f32x4.splat(0);
  let b0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let b1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let b2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let b3 = f32x4.splat(0);
  const xStep = (<usize>(strideW * inC)) << 2;
  const gStep = (<usize>outC) << 2;
  const count = xEnd - xBegin;
  for (let n = 0; n < batch; n++) {
    for (let y = yBegin; y < yEnd; y++) {
      let xp = xRow(x, n, y, ci);
      let gp = dyRow(dy, n, y, co);
      for (let i = 0; i < count; i++) {
        const g0 = v128.load(gp);
        const g1 = v128.load(gp, 16);
        let v = v128.load32_splat(xp);
        a0 = madd(v, g0, a0);
        b0 = madd(v, g1, b0);
        v = v128.load32_splat(xp, 4);
        a1 = madd(v, g0, a1);
        b1 = madd(v, g1, b1);
        v = v128.load32_splat(xp, 8);
        a2 = madd(v, g0, a2);
        b2 = madd(v, g1, b2);
        v = v128.load32_splat(xp, 12);
        a3 = madd(v, g0, a3);
        b3 = madd(v, g1, b3);
        xp += xStep;
        gp += gStep;
      }
    }
  }
  const rowBytes = (<usize>outC) << 2;
  const o = outAt(tap, ci, co);
  v128.store(o, a0);
  v128.store(o, b0, 16);
  v128.store(o + rowBytes, a1);
  v128.store(o + rowBytes, b1, 16);
  v128.store(o + 2 * rowBytes, a2);
  v128.store(o + 2 * rowBytes, b2, 16);
  v128.store(o + 3 * rowBytes, a3);
  v128.store(o + 3 * rowBytes, b3, 16);
}

function block1x16(x: usize, dy: usize, tap: usize, ci: i32, co: i32): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  const xStep = (<usize>(strideW * inC)) << 2;
  const gStep = (<usize>outC) << 2;
  const count = xEnd - xBegin;
  for (let n = 0; n < batch; n++) {
    for (let y = yBegin; y < yEnd; y++) {
      let xp = xRow(x, n, y, ci);
      let gp = dyRow(dy, n, y, co);
      for (let i = 0; i < count; i++) {
        const v = v128.load32_splat(xp);
        a0 = madd(v, v128.load(gp), a0);
        a1 = madd(v, v128.load(gp, 16), a1);
        a2 = madd(v, v128.load(gp, 32), a2);
        a3 = madd(v, v128.load(gp, 48), a3);
        xp += xStep;
        gp += gStep;
      }
    }
  }
  const o = outAt(tap, ci, co);
  v128.store(o, a0);
  v128.store(o, a1, 16);
  v128.store(o, a2, 32);
  v128.store(o, a3, 48);
}

function block1x4(x: usize, dy: usize, tap: usize, ci: i32, co: i32): void {
  let a = f32x4.splat(0);
  const xStep = (<usize>(strideW * inC)) << 2;
  const gStep = (<usize>outC) << 2;
  const count = xEnd - xBegin;
  for (let n = 0; n < batch; n++) {
    for (let y = yBegin; y < yEnd; y++) {
      let xp = xRow(x, n, y, ci);
      let gp = dyRow(dy, n, y, co);
      for (let i = 0; i < count; i++) {
        a = madd(v128.load32_splat(xp), v128.load(gp), a);
        xp += xStep;
        gp += gStep;
      }
    }
  }
  v128.store(outAt(tap, ci, co), a);
}

function block1x1(x: usize, dy: usize, tap: usize, ci: i32, co: i32): void {
  let a: f32 = 0;
  const xStep = (<usize>(strideW * inC)) << 2;
  const gStep = (<usize>outC) << 2;
  const count = xEnd - xBegin;
  for (let n = 0; n < batch; n++) {
    for (let y = yBegin; y < yEnd; y++) {
      let xp = xRow(x, n, y, ci);
      let gp = dyRow(dy, n, y, co);
      for (let i = 0; i < count; i++) {
        a += load<f32>(xp) * load<f32>(gp);
        xp += xStep;
        gp += gStep;
      }
    }
  }
  store<f32>(outAt(tap, ci, co), a);
}
