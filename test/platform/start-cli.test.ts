import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctrlC, freePort, npmStart } from '../support/npm-start';

// `npm start` as a new user runs it from a fresh clone: `--help` first, then the platform on
// ports of their own, then `npx trainyard` from a folder below, with no URL or key given.

const root = join(import.meta.dirname, '..', '..');
const BIN = join(root, 'packages', 'cli', 'bin', 'trainyard.js');
const run = promisify(execFile);

/** This process's environment without anything that tells the CLI where to go. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ['TRAINYARD_API_URL', 'TRAINYARD_INFER_URL', 'TRAINYARD_API_KEY']) {
    delete env[name];
  }
  return env;
}

let work: string;
let running: ChildProcess | undefined;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'trainyard-start-cli-'));
});
afterAll(async () => {
  if (running && running.exitCode === null && running.signalCode === null) {
    await ctrlC(running);
  }
  await rm(work, { recursive: true, force: true });
});

describe('npm start -- --help', () => {
  it('prints what it starts and the variables it reads, starts nothing, and exits 0', async () => {
    const apiPort = String(await freePort());
    const { stdout } = await run('npm', ['start', '--silent', '--', '--help'], {
      cwd: root,
      env: cleanEnv({ API_PORT: apiPort }),
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^Usage: npm start/);
    expect(stdout).toContain('platform.json');
    for (const [name, byDefault] of <Array<[string, string]>>[
      ['API_PORT', '8787'],
      ['INFER_PORT', '8788'],
      ['EMBEDDED_S3_PORT', '8790'],
      ['TRAINYARD_DATA_DIR', '.trainyard'],
    ]) {
      expect(stdout).toMatch(
        new RegExp(`^  ${name} .*default ${byDefault.replace('.', '\\.')}$`, 'm'),
      );
    }
    expect(stdout).not.toContain('Trainyard is running');
    // Nothing listens on the port it would have taken.
    await expect(fetch(`http://127.0.0.1:${apiPort}/`)).rejects.toThrow();

    const bad = await run('npm', ['start', '--silent', '--', '--port', '1'], {
      cwd: root,
      env: cleanEnv({}),
      timeout: 60_000,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toMatch(/Unknown option '--port'.*--help/);
  }, 120_000);
});

describe('npm start on other ports', () => {
  it('npx trainyard finds it through .trainyard/platform.json, and Ctrl-C removes that file', async () => {
    const project = join(work, 'project');
    const dataDir = join(project, '.trainyard');
    const below = join(project, 'photos');
    await mkdir(below, { recursive: true });
    const ports = { api: await freePort(), infer: await freePort() };
    const { child } = await npmStart(
      root,
      cleanEnv({
        TRAINYARD_DATA_DIR: dataDir,
        API_PORT: String(ports.api),
        INFER_PORT: String(ports.infer),
        EMBEDDED_S3_PORT: String(await freePort()),
        S3_ENDPOINT: '',
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        LOG_LEVEL: 'warn',
      }),
    );
    running = child;
    const file = join(dataDir, 'platform.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      api_url: `http://127.0.0.1:${ports.api}`,
      infer_url: `http://127.0.0.1:${ports.infer}`,
    });

    // From a folder below, as the console's copied command runs: no flag, no TRAINYARD_* variable.
    const env = cleanEnv({ TRAINYARD_CONFIG: join(work, 'no-login.json') });
    delete env.TRAINYARD_DATA_DIR;
    const cli = (...args: string[]) =>
      run(process.execPath, [BIN, ...args], { cwd: below, env, timeout: 60_000 }).catch(
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    const whoami = await cli('whoami', '--json');
    expect(whoami).toMatchObject({ stderr: '' });
    expect(JSON.parse((whoami as { stdout: string }).stdout)).toMatchObject({
      key: { role: 'admin' },
    });
    // The prediction goes to the inference server on its own port: it answers (404 for a model
    // that does not exist) instead of "Could not reach http://127.0.0.1:8788".
    const predict = await cli('predict', 'model_missing', '--row', '{"x":1}');
    expect(predict).toMatchObject({ code: 1 });
    expect((predict as { stderr: string }).stderr).toMatch(/404/);
    expect((predict as { stderr: string }).stderr).not.toContain('Could not reach');

    await ctrlC(child);
    expect(existsSync(file)).toBe(false);
  }, 120_000);
});
