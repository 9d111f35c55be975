// Bundles one workspace entry (TypeScript) into a single ESM file for a container image.
//   node infra/docker/bundle.mjs <entry.ts> <out.mjs>
// Only our own workspace code (@trainyard/*) goes into the bundle. Every npm package stays an
// import resolved from node_modules at run time: tfjs-node, sharp and the wasm backend load native
// binaries and .wasm files relative to their own package folder, which bundling would break, and
// the image installs the production dependencies from the lockfile anyway. Our own wasm kernels
// (@trainyard/ml's SIMD module) are read relative to the code that loads them, so they are copied
// beside the bundle.
import { copyFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  process.stderr.write('usage: node infra/docker/bundle.mjs <entry.ts> <out.mjs>\n');
  process.exit(64);
}

/** @type {import('esbuild').Plugin} */
const npmPackagesExternal = {
  name: 'npm-packages-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@trainyard/') ? undefined : { path: args.path, external: true },
    );
  },
};

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  legalComments: 'none',
  plugins: [npmPackagesExternal],
  logLevel: 'info',
});

const simd = fileURLToPath(new URL('../../packages/ml/src/backend/simd/', import.meta.url));
for (const name of readdirSync(simd).filter((n) => n.endsWith('.wasm'))) {
  copyFileSync(join(simd, name), join(dirname(outfile), name));
}
