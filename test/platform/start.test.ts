import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The README's start command, run as a user runs it: `npm start` on the embedded defaults.

const root = join(import.meta.dirname, '..', '..');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  key: string;
}

async function npmStart(env: Record<string, string>): Promise<Started> {
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: {
      ...process.env,
      S3_ENDPOINT: '',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      ...env,
    },
    detached: true, // its own process group, so that "Ctrl-C" reaches npm and the platform alike
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const deadline = Date.now() + 60_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up in 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const key = (await readFile(join(env.TRAINYARD_DATA_DIR!, 'api-key'), 'utf8')).trim();
  return { child, output: () => output, key };
}

/** Ctrl-C in the terminal: SIGINT to the whole process group; resolves when every process let go of the output. */
async function ctrlC(started: Started): Promise<string> {
  const closed = new Promise<void>((resolve) => started.child.once('close', () => resolve()));
  process.kill(-started.child.pid!, 'SIGINT');
  await closed;
  return started.output();
}

async function portIsFree(port: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(Number(port), '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

let dataDir: string;
let env: Record<string, string>;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'trainyard-start-'));
  env = {
    TRAINYARD_DATA_DIR: dataDir,
    API_PORT: String(await freePort()),
    INFER_PORT: String(await freePort()),
    EMBEDDED_S3_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  };
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('npm start', () => {
  it('brings up both functions on the embedded S3, keeps data across a restart, and stops on Ctrl-C', async () => {
    const api = `http://127.0.0.1:${env.API_PORT}`;
    const infer = `http://127.0.0.1:${env.INFER_PORT}`;

    const first = await npmStart(env);
    try {
      expect(first.output()).toContain(`API        ${api}`);
      expect(first.output()).toContain(`Inference  ${infer}`);
      expect(await (await fetch(`${api}/healthz`)).json()).toMatchObject({
        status: 'ok',
        service: 'api',
      });
      expect(await (await fetch(`${infer}/healthz`)).json()).toMatchObject({
        status: 'ok',
        service: 'infer',
      });
      // A key made now is shown this once; the data directory and its secrets are the user's only.
      expect(first.output()).toMatch(
        new RegExp(`API key\\s+${first.key}\\s+\\(new: shown this once`),
      );
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      expect((await stat(join(dataDir, 'api-key'))).mode & 0o777).toBe(0o600);
      expect((await stat(join(dataDir, 's3-credential.json'))).mode & 0o777).toBe(0o600);
      const s3 = `http://127.0.0.1:${env.EMBEDDED_S3_PORT}/trainyard`;
      expect((await fetch(`${s3}?list-type=2`)).status).toBe(403);

      expect((await fetch(`${api}/v1/api-keys`)).status).toBe(401);
      const created = await fetch(`${api}/v1/api-keys`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${first.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'survives-restart' }),
      });
      expect(created.status).toBe(201);
    } finally {
      expect(await ctrlC(first)).toContain('SIGINT: stopping Trainyard');
    }
    await expect(fetch(`${api}/healthz`)).rejects.toThrow();
    expect(await portIsFree(env.EMBEDDED_S3_PORT!)).toBe(true);

    const second = await npmStart(env);
    try {
      expect(second.key).toBe(first.key);
      expect(second.output()).toContain(
        `API key    kept in ${join(dataDir, 'api-key')} (not shown)`,
      );
      expect(second.output()).not.toContain(first.key);
      const list = await fetch(`${api}/v1/api-keys`, {
        headers: { Authorization: `Bearer ${second.key}` },
      });
      expect(list.status).toBe(200);
      const names = ((await list.json()) as { data: { name: string }[] }).data.map((k) => k.name);
      expect(names.sort()).toEqual(['local', 'survives-restart']);
    } finally {
      await ctrlC(second);
    }
  }, 180_000);

  it('stops with a message naming the variable when the configuration is bad', async () => {
    const child = spawn('npm', ['start'], {
      cwd: root,
      env: { ...process.env, ...env, API_PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr!.on('data', (d) => {
      output += d;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(output).toMatch(/API_PORT: .*received "eighty"/);
  }, 60_000);
});
