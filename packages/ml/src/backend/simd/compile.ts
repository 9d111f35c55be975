import { fileURLToPath } from 'node:url';
import { InternalError } from '@trainyard/shared';

/** The AssemblyScript sources of the SIMD kernels. */
const SIMD_SOURCE_DIR = fileURLToPath(new URL('../../../assembly/', import.meta.url));

const SHARED = ['--sharedMemory', '--maximumMemory', '65536', '--enable', 'threads'] as const;
const RELAXED = ['--enable', 'relaxed-simd'] as const;

/**
 * The kernels' module for tfjs-backend-wasm's memory, which it imports as `env.memory`: a shared
 * memory for the threaded build, a plain one otherwise; each with plain SIMD (multiply, then add)
 * and with relaxed SIMD (`f32x4.relaxed_madd`, a fused multiply-add where the CPU has one, in
 * `assembly/madd.ts`), which runtimes without relaxed SIMD reject (`module.ts` picks one that
 * validates). The stub runtime, no asserts and no abort message leave the module without data
 * segments or a heap of its own, so it writes nothing but the tensors it is given.
 */
export const SIMD_VARIANTS = {
  plain: ['--importMemory'],
  shared: ['--importMemory', ...SHARED],
  'plain-relaxed': ['--importMemory', ...RELAXED],
  'shared-relaxed': ['--importMemory', ...SHARED, ...RELAXED],
} as const;

export type SimdVariant = keyof typeof SIMD_VARIANTS;

/** Compiles `assembly/index.ts` with AssemblyScript (a dev dependency) into a wasm binary. */
export async function compileSimdKernels(variant: SimdVariant): Promise<Uint8Array> {
  const { default: asc } = await import('assemblyscript/asc');
  let binary: Uint8Array | undefined;
  const errors: string[] = [];
  const result = await asc.main(
    [
      'index.ts',
      '--baseDir',
      SIMD_SOURCE_DIR,
      '--outFile',
      'kernels.wasm',
      '-O3',
      '--runtime',
      'stub',
      '--noAssert',
      '--use',
      'abort=',
      '--noExportMemory',
      '--enable',
      'simd',
      ...SIMD_VARIANTS[variant],
    ],
    {
      writeFile: (name, contents) => {
        if (name.endsWith('.wasm') && contents instanceof Uint8Array) binary = contents;
      },
      stderr: { write: (chunk: string | Uint8Array) => errors.push(String(chunk)) },
    },
  );
  if (result.error || !binary) {
    throw new InternalError(
      `AssemblyScript failed: ${result.error?.message ?? ''}\n${errors.join('')}`,
    );
  }
  return binary;
}
