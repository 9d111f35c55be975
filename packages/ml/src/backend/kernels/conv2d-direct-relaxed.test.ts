import v8 from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRelaxedSimd, simdVariantFor } from '../simd/module';
import { setConvCode } from './conv2d-direct';
import { convCasesAgreeWithCpu } from './conv2d-direct-cases';
import { useWasm } from './test-support';

// Node 20's V8 has relaxed SIMD only behind this flag (Node 22 has it on); set before any module
// is compiled, in this test file's own process.
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
let previous: ReturnType<typeof setConvCode>;
beforeAll(async () => {
  await useWasm();
  previous = setConvCode('own');
});
afterAll(() => setConvCode(previous));

describe('our direct stride-1 convolution (relaxed SIMD build: fused multiply-add) matches cpu', () => {
  it('runs the relaxed build', () => {
    expect(hasRelaxedSimd()).toBe(true);
    expect(simdVariantFor(true)).toBe('shared-relaxed');
  });
  convCasesAgreeWithCpu();
});
