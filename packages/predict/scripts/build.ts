// `npm run build -w @trainyard/predict`: the publishable package in packages/predict/dist (its own
// package.json, README and bundled ESM), which `npm pack packages/predict/dist` packs.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { build, bundleOptions } from './bundle';

const root = new URL('..', import.meta.url).pathname;
const dist = `${root}dist`;
const source = JSON.parse(await readFile(`${root}package.json`, 'utf8'));

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build(bundleOptions(dist));
await writeFile(
  `${dist}/package.json`,
  `${JSON.stringify(
    {
      name: source.name,
      version: source.version,
      description: source.description,
      type: 'module',
      exports: { '.': './index.js', './node': './node.js', './sharp': './sharp.js' },
      sideEffects: true,
      peerDependencies: {
        '@tensorflow/tfjs': source.peerDependencies['@tensorflow/tfjs'],
        sharp: '>=0.34',
      },
      peerDependenciesMeta: { sharp: { optional: true } },
    },
    null,
    2,
  )}\n`,
);
await writeFile(`${dist}/README.md`, await readFile(`${root}README.md`, 'utf8'));
console.log(`built ${dist}`);
