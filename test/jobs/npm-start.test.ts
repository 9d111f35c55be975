import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctrlC, freePort, npmStart } from '../support/npm-start';
import { type StallProxy, startStallProxy } from '../support/s3-stall-proxy';
import { irisDataset, type Loose, untilEnded, untilStalled } from './support';

// `npm start` as a user runs it, with the real trainer: Ctrl-C in the middle of a job (SIGINT to
// the whole process group, as a terminal sends it), then `npm start` again: the job is recorded
// as interrupted (not crashed), resumes from its checkpoint and completes.

const root = join(import.meta.dirname, '..', '..');

let dataDir: string;
let env: Record<string, string>;
let running: ChildProcess | undefined;
let proxy: StallProxy;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'trainyard-npm-start-'));
  const s3Port = await freePort();
  // The trainers reach the embedded store through a proxy (signing with the credential the
  // store makes at its first start) that holds every request after the second checkpoint's
  // state.json: Ctrl-C lands mid-training however late this test gets to it.
  proxy = await startStallProxy(
    `http://127.0.0.1:${s3Port}`,
    (method, path) => method === 'PUT' && path.endsWith('/checkpoints/train-epoch-0002/state.json'),
    async () => JSON.parse(await readFile(join(dataDir, 's3-credential.json'), 'utf8')),
  );
  env = {
    TRAINYARD_DATA_DIR: dataDir,
    API_PORT: String(await freePort()),
    INFER_PORT: String(await freePort()),
    EMBEDDED_S3_PORT: String(s3Port),
    LOCAL_TRAINER_S3_ENDPOINT: proxy.endpoint,
    LOG_LEVEL: 'warn',
    S3_ENDPOINT: '',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
  };
});
afterAll(async () => {
  if (running && running.exitCode === null && running.signalCode === null) await ctrlC(running);
  await proxy.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function startPlatform(): Promise<{
  child: ChildProcess;
  output: () => string;
  key: string;
}> {
  const { child, output } = await npmStart(root, { ...process.env, ...env });
  running = child;
  // The banner names where the key is (it shows a key only once, when it makes it).
  return { child, output, key: (await readFile(join(dataDir, 'api-key'), 'utf8')).trim() };
}

describe('npm start with a job running', () => {
  it('Ctrl-C interrupts the job cleanly; the next npm start resumes it to the end', async () => {
    const api = `http://127.0.0.1:${env.API_PORT}`;
    let started = await startPlatform();
    const call = (path: string, init: RequestInit = {}) =>
      fetch(`${api}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${started.key}`, ...init.headers },
      });
    const dataset = await irisDataset(call);
    const created = await call('/v1/fine-tuning/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dataset, hyperparameters: { epochs: 40, early_stopping: null } }),
    });
    const { id } = (await created.json()) as { id: string };
    const path = `/v1/fine-tuning/jobs/${id}`;
    await untilStalled({ call }, id, proxy.stalled);
    // Ctrl-C while the trainer is held; once it has been told to stop (it logs that), it may go
    // on: it stops at its next batch, in epoch 3.
    const first = started;
    const closed = ctrlC(first.child);
    while (!first.output().includes('stopping at the next batch')) {
      if (first.child.exitCode !== null || first.child.signalCode !== null)
        throw new Error(`npm start exited:\n${first.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    proxy.release();
    await closed;

    started = await startPlatform();
    const job = await untilEnded({ call }, id, 120_000);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    const { data: events } = (await (await call(`${path}/events?limit=1000`)).json()) as Loose;
    const interrupted = events.filter((e: Loose) => e.type === 'job.interrupted');
    expect(interrupted.map((e: Loose) => e.data.reason)).toEqual(['platform stopped']);
    expect(events.map((e: Loose) => e.type)).not.toContain('job.retrying');
    const second = events.findIndex((e: Loose) => e.type === 'job.started' && e.data.attempt === 2);
    const next = events.slice(second).find((e: Loose) => e.type === 'epoch.completed');
    expect(next.data.epoch).toBe(3);
    const ran = events
      .filter((e: Loose) => e.type === 'epoch.completed')
      .map((e: Loose) => e.data.epoch);
    expect(ran).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await ctrlC(started.child);
  }, 240_000);
});
