/**
 * `npm run build:simd -w @trainyard/ml`: compiles `assembly/` into the two committed binaries
 * (`kernels.wasm`, `kernels-shared.wasm`). Run after editing the AssemblyScript; a test checks that
 * the committed binaries are what the sources compile to.
 */
import { writeFileSync } from 'node:fs';
import { compileSimdKernels, SIMD_VARIANTS, type SimdVariant } from './compile';
import { simdBinaryPath } from './module';

for (const variant of Object.keys(SIMD_VARIANTS) as SimdVariant[]) {
  const binary = await compileSimdKernels(variant);
  writeFileSync(simdBinaryPath(variant), binary);
  console.log(`${simdBinaryPath(variant)}: ${binary.byteLength} bytes`);
}
