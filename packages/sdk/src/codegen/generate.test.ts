import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { committedFiles, generatedFiles } from './generate';

describe('generated types', () => {
  it('match what the live OpenAPI documents generate (run `npm run generate -w @trainyard/sdk`)', async () => {
    const [live, committed] = await Promise.all([generatedFiles(), committedFiles()]);
    expect(committed.api, 'src/generated/openapi.ts is stale').toBe(live.api);
    expect(committed.infer, 'src/generated/infer-openapi.ts is stale').toBe(live.infer);
  });

  it('type the job events, datasets and errors the API documents', async () => {
    const { api } = await committedFiles();
    for (const schema of ['JobEvent', 'CreatedDataset', 'FineTuningJob', 'Error', 'ModelCard']) {
      expect(api).toContain(`        ${schema}: `);
    }
  });
});

describe('the core runs in browsers', () => {
  it('imports nothing from node: outside the Node entry and the generator', async () => {
    const root = join(import.meta.dirname, '..');
    const files = (await readdir(root, { recursive: true })).filter(
      (f) =>
        f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'node.ts' && !f.startsWith('codegen'),
    );
    expect(files).toContain('client.ts');
    for (const file of files) {
      const text = await readFile(join(root, file), 'utf8');
      expect(text, file).not.toMatch(/from '(node:|fs|path|http|https|crypto|buffer)/);
      expect(text, file).not.toMatch(/\bBuffer\.|process\./);
    }
  });
});
