import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { iris, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformHarness } from '../jobs/platform-support';

// The CLI as someone outside the repo gets it: bundled (`npm run bundle -w @trainyard/cli`),
// packed with `npm pack`, installed into an empty folder with `npm install`, and run from there
// against a real platform over HTTP.

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');
const REALWORLD = join(import.meta.dirname, '..', 'fixtures', 'realworld');
let harness: Awaited<ReturnType<typeof platformHarness>>;
let work: string;
let bin: string;
let env: Record<string, string>;

/** Runs the installed `trainyard` from an unrelated folder; resolves with the exit code. */
async function trainyard(...args: string[]) {
  try {
    const { stdout, stderr } = await run(bin, args, { cwd: work, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'trainyard-cli-standalone-'));
  const dist = join(work, 'dist');
  await run(process.execPath, [
    '--import',
    'tsx',
    join(REPO, 'packages', 'cli', 'scripts', 'bundle.ts'),
    '--out',
    dist,
  ]);
  await run('npm', ['pack', dist, '--pack-destination', work], { cwd: work });
  const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'))!;
  const install = join(work, 'install');
  await run('mkdir', [install]);
  await writeFile(join(install, 'package.json'), '{"name":"uses-trainyard","private":true}\n');
  await run(
    'npm',
    ['install', join(work, tarball), '--prefer-offline', '--no-audit', '--no-fund'],
    { cwd: install },
  );
  bin = join(install, 'node_modules', '.bin', 'trainyard');
  harness = await platformHarness();
  const platform = await harness.start();
  env = {
    TRAINYARD_API_URL: platform.apiUrl,
    TRAINYARD_INFER_URL: platform.inferUrl,
    TRAINYARD_API_KEY: platform.apiKey.secret!,
    TRAINYARD_CONFIG: join(work, 'no-login.json'),
  };
  const { header, rows } = iris();
  await writeFile(join(work, 'iris.csv'), toCsv(header, rows));
}, 180_000);
afterAll(async () => {
  await harness?.dispose();
  await rm(work, { recursive: true, force: true });
});

describe('the CLI installed on its own', () => {
  it('installs from its tarball with nothing of the monorepo and prints its help', async () => {
    const installed = await readdir(join(work, 'install', 'node_modules', '@trainyard'));
    expect(installed).toEqual(['cli']);
    const help = await trainyard('--help');
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: trainyard');
    expect(help.stdout).toContain('datasets');
  });

  it('uploads a dataset and lists it on a real platform', async () => {
    const upload = await trainyard(
      'datasets',
      'upload',
      'iris.csv',
      '--label-column',
      'species',
      '--wait',
      '--json',
    );
    expect(upload.code, upload.stderr).toBe(0);
    const dataset = JSON.parse(upload.stdout);
    expect(dataset).toMatchObject({ status: 'ready', report: { stats: { examples: 150 } } });
    const list = await trainyard('datasets', 'list', '--json');
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).data.map((d: { id: string }) => d.id)).toContain(dataset.id);
  }, 60_000);

  it('validates a file locally with its bundled validators and embedded store', async () => {
    const semicolons = await trainyard(
      'datasets',
      'validate',
      join(REALWORLD, '09-csv-semicolon-decimal-comma/iris-de.csv'),
      '--label-column',
      'Art',
      '--json',
    );
    expect(semicolons.code, semicolons.stderr).toBe(0);
    expect(JSON.parse(semicolons.stdout)).toMatchObject({
      status: 'ready',
      report: { stats: { examples: 60 } },
    });
    const images = await trainyard(
      'datasets',
      'validate',
      join(REALWORLD, '02-macos-zip-junk/finder.zip'),
      '--json',
    );
    expect(images.code, images.stderr).toBe(0);
    expect(JSON.parse(images.stdout)).toMatchObject({ status: 'ready' });
  }, 60_000);

  it('a server error comes back with its message and exit code 1', async () => {
    const missing = await trainyard('datasets', 'show', 'ds_doesnotexist0000000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not.found|No dataset/i);
  });
});
