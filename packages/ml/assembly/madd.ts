/**
 * a·b + c on four lanes: one fused multiply-add (`f32x4.relaxed_madd`) in the relaxed-SIMD builds
 * (`ASC_FEATURE_RELAXED_SIMD`, set by `--enable relaxed-simd`), a multiply and an add otherwise.
 * Relaxed SIMD lets the engine round once (FMA) or twice; results differ in the last bits only.
 */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
