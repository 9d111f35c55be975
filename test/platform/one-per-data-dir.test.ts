import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctrlC, freePort, npmStart } from '../support/npm-start';

// Two `npm start` on one data directory would both recover and run the same jobs and fight over
// platform.json: the second refuses at once; a SIGKILLed platform's lock does not block the next.

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

let dataDir: string;
const children: ChildProcess[] = [];
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'trainyard-one-per-dir-'));
});
afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) await ctrlC(child);
  }
  await rm(dataDir, { recursive: true, force: true });
});

async function env(): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TRAINYARD_DATA_DIR: dataDir,
    API_PORT: String(await freePort()),
    INFER_PORT: String(await freePort()),
    EMBEDDED_S3_PORT: String(await freePort()),
    S3_ENDPOINT: '',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    LOG_LEVEL: 'warn',
  };
  delete env.TRAINYARD_API_KEY;
  return env;
}

describe('npm start on a data directory another platform runs on', () => {
  it('refuses, naming the running one; the first keeps running; after a SIGKILL the next starts; SIGTERM to npm alone stops it', async () => {
    const firstEnv = await env();
    const first = await npmStart(root, firstEnv);
    children.push(first.child);
    const file = join(dataDir, 'platform.json');
    const before = await readFile(file, 'utf8');
    const apiUrl = `http://127.0.0.1:${firstEnv.API_PORT}`;

    const second = await run('npm', ['start', '--silent'], {
      cwd: root,
      env: await env(),
      timeout: 60_000,
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(second).toMatchObject({ code: 1 });
    const { stderr, stdout } = second as { stderr: string; stdout: string };
    expect(stdout).not.toContain('Trainyard is running');
    expect(stderr).toContain(`data directory ${dataDir}`);
    expect(stderr).toContain(`pid ${JSON.parse(before).pid}`);
    expect(stderr).toContain(`API ${apiUrl}`);
    expect(stderr).toContain('TRAINYARD_DATA_DIR=');

    // The first still answers, and its platform.json is as it wrote it.
    expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200);
    expect(await readFile(file, 'utf8')).toBe(before);

    // Killed without a chance to let go: the next start takes the stale lock over.
    const closed = new Promise<void>((resolve) => first.child.once('close', () => resolve()));
    process.kill(-first.child.pid!, 'SIGKILL');
    await closed;
    const nextEnv = await env();
    const next = await npmStart(root, nextEnv);
    children.push(next.child);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      api_url: `http://127.0.0.1:${nextEnv.API_PORT}`,
    });

    // `kill <npm's pid>` (SIGTERM to npm alone, not its group): npm passes it only to the shell it
    // runs the script in, which dies without passing it on; the platform still stops, lets go of
    // the data directory and frees its ports, rather than running on under init.
    const nextApi = `http://127.0.0.1:${nextEnv.API_PORT}`;
    expect((await fetch(`${nextApi}/healthz`)).status).toBe(200);
    const nextClosed = new Promise<void>((resolve) => next.child.once('close', () => resolve()));
    process.kill(next.child.pid!, 'SIGTERM');
    await nextClosed;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const up = await fetch(`${nextApi}/healthz`).then(
        () => true,
        () => false,
      );
      if (!up && !existsSync(join(dataDir, 'platform.lock'))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await expect(fetch(`${nextApi}/healthz`)).rejects.toThrow();
    expect(existsSync(join(dataDir, 'platform.lock'))).toBe(false);
    expect(next.output()).toContain('parent exited: stopping Trainyard');
  }, 180_000);
});
