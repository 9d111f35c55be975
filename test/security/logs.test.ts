import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyWebhook, WEBHOOK_SIGNATURE_HEADER } from '@trainyard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisDataset, type Loose, untilEnded } from '../jobs/support';

// A full run of `npm start` with every line it and its children print captured (debug level):
// an operator key from TRAINYARD_API_KEY, a key made over the API (and replayed), a wrong key,
// a job with a webhook delivered to a receiver on loopback. No secret may appear in the output.

const root = join(import.meta.dirname, '..', '..');
const OPERATOR_KEY = 'operator-secret-from-env-4f9c2a7e1b';
const WRONG_KEY = 'ty_000000000000_wrong-secret-never-logged-0123456789';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

let dataDir: string;
let child: ChildProcess | undefined;
let receiver: Server;
const deliveries: Array<{ signature: string; body: string }> = [];
let output = '';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'trainyard-logs-'));
  receiver = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      deliveries.push({
        signature: String(req.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()]),
        body,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) await stop();
  await new Promise((r) => receiver.close(r));
  await rm(dataDir, { recursive: true, force: true });
});

async function stop(): Promise<void> {
  const closed = new Promise<void>((resolve) => child!.once('close', () => resolve()));
  process.kill(-child!.pid!, 'SIGINT');
  await closed;
}

describe('logs of a full run', () => {
  it('hold no API key, webhook secret or store credential', async () => {
    const receiverPort = (receiver.address() as AddressInfo).port;
    const apiPort = await freePort();
    child = spawn('npm', ['start'], {
      cwd: root,
      env: {
        ...process.env,
        TRAINYARD_DATA_DIR: dataDir,
        API_PORT: String(apiPort),
        INFER_PORT: String(await freePort()),
        EMBEDDED_S3_PORT: String(await freePort()),
        S3_ENDPOINT: '',
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        LOG_LEVEL: 'debug',
        TRAINYARD_API_KEY: OPERATOR_KEY,
        OUTBOUND_ALLOW: `127.0.0.1:${receiverPort}`,
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => {
      output += d;
    });
    child.stderr!.on('data', (d) => {
      output += d;
    });
    const deadline = Date.now() + 60_000;
    while (!output.includes('Press Ctrl-C to stop.')) {
      if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output).toContain('API key    from TRAINYARD_API_KEY (not shown)');

    const api = `http://127.0.0.1:${apiPort}`;
    const call = (path: string, init: RequestInit = {}, key = OPERATOR_KEY) =>
      fetch(`${api}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${key}`, ...init.headers },
      });
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      call(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });

    const created = await post(
      '/v1/api-keys',
      { name: 'ci', role: 'admin' },
      { 'Idempotency-Key': 'k1' },
    );
    const { secret: minted } = (await created.json()) as { secret: string };
    expect(minted).toMatch(/^ty_/);
    expect(
      (await post('/v1/api-keys', { name: 'ci', role: 'admin' }, { 'Idempotency-Key': 'k1' }))
        .status,
    ).toBe(201);
    expect((await call('/v1/api-keys', {}, WRONG_KEY)).status).toBe(401);
    expect((await call('/v1/api-keys', {}, minted)).status).toBe(200);

    const dataset = await irisDataset(call);
    const job = await post('/v1/fine-tuning/jobs', {
      dataset,
      hyperparameters: { epochs: 2 },
      webhook: { url: `http://127.0.0.1:${receiverPort}/hooks?token=hook-url-token-77` },
    });
    expect(job.status).toBe(201);
    const { id, webhook } = (await job.json()) as Loose;
    const hookSecret = webhook.secret as string;
    expect(hookSecret).toMatch(/^whsec_/);
    expect((await untilEnded({ call }, id, 120_000)).status).toBe('succeeded');
    for (let i = 0; i < 100 && deliveries.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(deliveries).toHaveLength(1);
    expect(verifyWebhook(hookSecret, deliveries[0]!.signature, deliveries[0]!.body)).toBe(true);

    await stop();
    const credential = JSON.parse(await readFile(join(dataDir, 's3-credential.json'), 'utf8'));
    // The run did log (requests, the trainer), so the grep below reads something.
    expect(output).toMatch(/"msg":"request"/);
    for (const secret of [
      OPERATOR_KEY,
      minted,
      minted.slice(-20),
      WRONG_KEY,
      hookSecret,
      hookSecret.slice(-16),
      credential.secretAccessKey,
    ]) {
      expect(output.includes(secret), `the output holds ${secret.slice(0, 6)}…`).toBe(false);
    }
  }, 240_000);
});
