import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileSimdKernels, SIMD_VARIANTS, type SimdVariant } from './compile';
import { simdBinaryPath } from './module';

describe('the committed SIMD kernel binaries', () => {
  for (const variant of Object.keys(SIMD_VARIANTS) as SimdVariant[]) {
    it(`${variant}: is what assembly/ compiles to (else: npm run build:simd -w @trainyard/ml)`, async () => {
      const fresh = await compileSimdKernels(variant);
      const committed = new Uint8Array(readFileSync(simdBinaryPath(variant)));
      expect(Buffer.compare(Buffer.from(fresh), Buffer.from(committed))).toBe(0);
      // No data segments (section id 11): the module must not write into tfjs's heap on its own.
      const ids = sectionIds(committed);
      expect(ids).toContain(10); // the code section: the parse found real sections
      expect(ids).not.toContain(11);
    }, 60_000);
  }
});

/** The ids of a wasm binary's sections, in order. */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8;
  const leb = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++]!;
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  };
  while (at < bytes.length) {
    ids.push(bytes[at++]!);
    const size = leb(); // read before adding: `at += leb()` would add to the old `at`
    at += size;
  }
  return ids;
}
