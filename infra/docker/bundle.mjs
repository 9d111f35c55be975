// Bundles one workspace entry (TypeScript) into a single ESM file for a container image.
//   node infra/docker/bundle.mjs <entry.ts> <out.mjs>
// Only our own workspace code (@trainyard/*) goes into the bundle. Every npm package stays an
// import resolved from node_modules at run time: tfjs-node, sharp and the wasm backend load native
// binaries and .wasm files relative to their own package folder, which bundling would break, and
// the image installs the production dependencies from the lockfile anyway.
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
