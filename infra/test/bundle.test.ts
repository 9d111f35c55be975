import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/repo-root';

// Inside the repository (ignored), so that the bundle's npm imports resolve from node_modules as
// they do in the image.
mkdirSync(join(REPO_ROOT, '.trainyard'), { recursive: true });
const out = mkdtempSync(join(REPO_ROOT, '.trainyard', 'bundle-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('infra/docker/bundle.mjs', () => {
  it("bundles code that still finds @trainyard/ml's wasm SIMD kernels when it trains on wasm", () => {
    // A max-pool gradient on the wasm backend runs one of our SIMD kernels.
    const entry = join(out, 'entry.ts');
    writeFileSync(
      entry,
      [
        "import * as tf from '@tensorflow/tfjs';",
        "import { loadWasm } from '@trainyard/ml';",
        'await loadWasm({ threads: 1 });',
        'const x = tf.tensor4d([1, 5, 3, 2], [1, 2, 2, 1]);',
        'const g = tf.grad((v) => tf.maxPool(v, 2, 2, "valid").sum())(x);',
        'console.log(JSON.stringify(Array.from(g.dataSync())));',
      ].join('\n'),
    );
    const outfile = join(out, 'entry.mjs');
    const bundle = spawnSync(process.execPath, ['infra/docker/bundle.mjs', entry, outfile], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(bundle.status, bundle.stderr).toBe(0);
    expect(
      readdirSync(out)
        .filter((n) => n.endsWith('.wasm'))
        .sort(),
    ).toEqual([
      'kernels-plain-relaxed.wasm',
      'kernels-shared-relaxed.wasm',
      'kernels-shared.wasm',
      'kernels.wasm',
    ]);
    const run = spawnSync(process.execPath, [outfile], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n').at(-1)).toBe('[0,1,0,0]');
  }, 120_000);
});
