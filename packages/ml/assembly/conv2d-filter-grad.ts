/**
 * The filter gradient of an NHWC convolution with few input channels (a first layer on grey or RGB
 * images), where one GEMM over im2col rows would have only kh·kw·ci columns:
 *
 *   dW[r, s, ci, co] = Σ_{n,y,x} x[n, y·sh + r·dh - pt, x·sw + s·dw - pl, ci] · dy[n, y, x, co]
 *
 * One pass over dy per filter tap and input channel, sixteen output channels accumulated in
 * registers at a time (the rest one by one). Float32 tensors in the tfjs wasm heap; dW is [kh, kw, ci, co].
 */
export function conv2dFilterGradNarrow(
  x: usize,
  dy: usize,
  dw: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  filterH: i32,
  filterW: i32,
  strideH: i32,
  strideW: i32,
  dilationH: i32,
  dilationW: i32,
  padTop: i32,
  padLeft: i32,
): void {
  for (let r = 0; r < filterH; r++) {
    const yBegin = max(0, ceilDiv(padTop - r * dilationH, strideH));
    const yEnd = min(outH, ceilDiv(inH + padTop - r * dilationH, strideH));
    for (let s = 0; s < filterW; s++) {
      const xBegin = max(0, ceilDiv(padLeft - s * dilationW, strideW));
      const xEnd = min(outW, ceilDiv(inW + padLeft - s * dilationW, strideW));
      for (let ci = 0; ci < inC; ci++) {
        const out = dw + (<usize>(((r * filterW + s) * inC + ci) * outC) << 2);
        const rowShift = r * dilationH - padTop;
        const colShift = s * dilationW - padLeft;
        let co = 0;
        for (; co + 16 <= outC; co += 16) {
          let a0 = f32x4.splat(0);
          let a1 = f32x4.splat(0);
          let a2 = f32x4.splat(0);
          let a3 = f32x4.splat(0);
          for (let n = 0; n < batch; n++) {
            for (let y = yBegin; y < yEnd; y++) {
              const iy = y * strideH + rowShift;
              let xp = x + (<usize>(((n * inH + iy) * inW + xBegin * strideW + colShift) * inC + ci) << 2);
              let gp = dy + (<usize>(((n * outH + y) * outW + xBegin) * outC + co) << 2);
              const xStep = (<usize>(strideW * inC)) << 2;
              const gStep = (<usize>outC) << 2;
              for (let xo = xBegin; xo < xEnd; xo++) {
                const v = v128.load32_splat(xp);
                a0 = f32x4.add(a0, f32x4.mul(v, v128.load(gp)));
                a1 = f32x4.add(a1, f32x4.mul(v, v128.load(gp, 16)));
                a2 = f32x4.add(a2, f32x4.mul(v, v128.load(gp, 32)));
                a3 = f32x4.add(a3, f32x4.mul(v, v128.load(gp, 48)));
                xp += xStep;
                gp += gStep;
              }
            }
          }
          const o = out + ((<usize>co) << 2);
          v128.store(o, a0);
          v128.store(o, a1, 16);
          v128.store(o, a2, 32);
          v128.store(o, a3, 48);
        }
        for (; co < outC; co++) {
          let a: f32 = 0;
          for (let n = 0; n < batch; n++) {
            for (let y = yBegin; y < yEnd; y++) {
              const iy = y * strideH + rowShift;
              for (let xo = xBegin; xo < xEnd; xo++) {
                const ix = xo * strideW + colShift;
                const xv = load<f32>(x + (<usize>(((n * inH + iy) * inW + ix) * inC + ci) << 2));
                const g = load<f32>(dy + (<usize>(((n * outH + y) * outW + xo) * outC + co) << 2));
                a += xv * g;
              }
            }
          }
          store<f32>(out + ((<usize>co) << 2), a);
        }
      }
    }
  }
}

@inline
function ceilDiv(a: i32, b: i32): i32 {
  return a >= 0 ? (a + b - 1) / b : -(-a / b);
}
