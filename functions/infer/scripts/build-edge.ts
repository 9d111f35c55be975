// The Worker bundle of the inference function: `functions/infer/dist/edge.js` (ESM, one file),
// for workerd with `nodejs_compat` (Node built-ins the shared packages import: crypto, path, …).
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

/** Builds the Worker; returns its path and size in bytes. */
export async function buildEdge(): Promise<{ path: string; bytes: number }> {
  const path = `${root}dist/edge.js`;
  const result = await build({
    entryPoints: [`${root}src/edge.ts`],
    outfile: path,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser', 'import'],
    mainFields: ['browser', 'module', 'main'],
    external: ['node:*', 'sharp'],
    minify: true,
    metafile: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return { path, bytes: Object.values(result.metafile.outputs)[0]!.bytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { path, bytes } = await buildEdge();
  console.log(`${path}: ${(bytes / 1024).toFixed(0)} KiB`);
}
