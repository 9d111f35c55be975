import v8 from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasm } from '../backend/kernels/test-support';
import { hasRelaxedSimd, simdVariantFor } from '../backend/simd/module';
import { gru } from './gru';
import { lstm } from './lstm';
import { recurrentCasesAgreeWithCpu } from './recurrent-sequence-cases';

// Node 20's V8 has relaxed SIMD only behind this flag (Node 22 has it on); set before any module
// is compiled, in this test file's own process.
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
beforeAll(useWasm);

describe('the fused LSTM and GRU (relaxed SIMD build: fused multiply-adds) match tfjs-layers on cpu', () => {
  it('runs the relaxed build', () => {
    expect(hasRelaxedSimd()).toBe(true);
    expect(simdVariantFor(true)).toBe('shared-relaxed');
  });
  describe('LSTM', () => recurrentCasesAgreeWithCpu(lstm));
  describe('GRU', () => recurrentCasesAgreeWithCpu(gru));
});
