import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simdVariantFor } from '../simd/module';
import { setConvCode } from './conv2d-direct';
import { convCasesAgreeWithCpu } from './conv2d-direct-cases';
import { useWasm } from './test-support';

// The plain SIMD build (multiply, then add), whatever the runtime supports.
process.env.TRAINYARD_WASM_RELAXED_SIMD = '0';
let previous: ReturnType<typeof setConvCode>;
beforeAll(async () => {
  await useWasm();
  previous = setConvCode('own');
});
afterAll(() => setConvCode(previous));

describe('our direct stride-1 convolution (plain SIMD build) matches cpu, with gradients', () => {
  it('runs the plain build', () => {
    expect(simdVariantFor(true)).toBe('shared');
  });
  convCasesAgreeWithCpu();
});
