/**
 * Builds the standalone `@trainyard/cli` package in `packages/cli/dist/`: the CLI and the
 * embedded store's server process bundled by esbuild (the workspace packages and every pure-JS
 * dependency inlined, so the package installs without the monorepo), with its own package.json
 * whose only dependency is sharp (native binaries, installed per platform by npm).
 *
 *   npm run bundle -w @trainyard/cli           # then: npm pack ./packages/cli/dist
 *   npm run bundle -w @trainyard/cli -- --out DIR   # into another folder (the tests' temp dir)
 *   npm install -g ./trainyard-cli-0.1.0.tgz    # `trainyard` on the PATH
 *
 * Why a bundle and not `npm pack` of the workspace: the CLI imports unpublished workspace packages
 * (`@trainyard/sdk`, `@trainyard/datasets`, …) written in TypeScript; bundling is how a
 * TypeScript monorepo ships one command (the AWS CDK CLI and wrangler do the same).
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = join(cliDir, '..', '..');
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const outDir = values.out ? resolve(values.out) : join(cliDir, 'dist');

/** Native or optional modules left to npm: sharp ships a binary per platform. */
const EXTERNAL = ['sharp'];

const cliPackage = JSON.parse(await readFile(join(cliDir, 'package.json'), 'utf8'));
const sharedPackage = JSON.parse(
  await readFile(join(repoDir, 'packages', 'shared', 'package.json'), 'utf8'),
);

await rm(outDir, { recursive: true, force: true });
await build({
  entryPoints: {
    trainyard: join(cliDir, 'src', 'main.ts'),
    'embedded-s3-process': join(repoDir, 'packages', 'local', 'src', 'embedded-s3-process.ts'),
  },
  outdir: outDir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: EXTERNAL,
  // CommonJS dependencies inside an ES module bundle call `require`; give them Node's.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
  legalComments: 'external',
});
// The bin: a shebang line in front of the bundled entry.
const entry = join(outDir, 'trainyard.js');
await writeFile(entry, `#!/usr/bin/env node\n${await readFile(entry, 'utf8')}`, { mode: 0o755 });

await writeFile(
  join(outDir, 'package.json'),
  `${JSON.stringify(
    {
      name: cliPackage.name,
      version: cliPackage.version,
      description: cliPackage.description,
      type: 'module',
      bin: { trainyard: './trainyard.js' },
      engines: { node: '>=20.19' },
      dependencies: Object.fromEntries(
        EXTERNAL.map((name) => [name, sharedPackage.dependencies[name]]),
      ),
    },
    null,
    2,
  )}\n`,
);
await writeFile(
  join(outDir, 'README.md'),
  `# ${cliPackage.name}\n\nThe \`trainyard\` command: datasets, fine-tuning jobs, models and predictions on a Trainyard platform.\n\n\`\`\`sh\ntrainyard login --api-url https://trainyard.example.com --api-key sk-…\ntrainyard datasets upload iris.csv --label-column species --wait\ntrainyard --help\n\`\`\`\n`,
);
console.log(`bundled ${cliPackage.name}@${cliPackage.version} into ${outDir}`);
