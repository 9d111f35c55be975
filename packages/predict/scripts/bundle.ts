import { type BuildOptions, build } from 'esbuild';

/** Modules a bundle leaves to the user's install: TensorFlow.js (a peer) and sharp (optional). */
export const PEERS = ['@tensorflow/tfjs', 'sharp'] as const;

const here = new URL('../src/', import.meta.url).pathname;

/**
 * esbuild options for `@trainyard/predict`'s published files: ESM, the workspace packages, zod,
 * jpeg-js and fast-png inlined, only `PEERS` (and `node:` modules, for `./node`) left as imports.
 * Entries: `index` (the core: any runtime), `node` (folders) and `sharp` (the sharp decoder), with
 * shared chunks so that the error classes are one class across entries.
 */
export function bundleOptions(outdir: string): BuildOptions {
  return {
    entryPoints: {
      index: `${here}index.ts`,
      node: `${here}node.ts`,
      sharp: `${here}decoders/sharp.ts`,
    },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['import', 'module', 'default'],
    external: [...PEERS, 'node:*'],
    legalComments: 'none',
    logLevel: 'warning',
  };
}

/**
 * The core alone, bundled for a browser with nothing but TensorFlow.js external: it fails to
 * build if anything in it imports a `node:` module or a Node built-in. Returns the code.
 */
export async function bundleCoreForBrowser(): Promise<string> {
  const result = await build({
    entryPoints: [`${here}index.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['@tensorflow/tfjs'],
    minify: true,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export { build };
