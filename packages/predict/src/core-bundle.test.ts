import { describe, expect, it } from 'vitest';
import { bundleCoreForBrowser } from '../scripts/bundle';

describe('the core of @trainyard/predict', () => {
  it('bundles for a browser with nothing from Node (no node: module, no require, no Buffer.from)', async () => {
    // esbuild fails the build if anything in the core imports a Node built-in.
    const code = await bundleCoreForBrowser();
    const found = (pattern: RegExp) => code.match(pattern)?.[0];
    expect(found(/["']node:[a-z_/]+/)).toBeUndefined();
    expect(found(/\brequire\(["'][^"']+["']\)/)).toBeUndefined();
    expect(found(/\bBuffer\.from\(/)).toBeUndefined();
    expect(code.includes('@tensorflow/tfjs')).toBe(true);
  });
});
