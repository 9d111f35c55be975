import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  eventsOfType,
  JobEventLog,
  type JobEventType,
  JobStore,
  keys,
  modelIdForJob,
  type Runtime,
} from '@trainyard/shared';
import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainerEnvironment } from './child-env';
import { spawnTrainer } from './child-process';
import { LocalRunner, type LocalRunnerOptions } from './local';
import { PidFiles } from './pid-files';
import { describeJobQueueContract, waitFor } from './queue-contract';
import { fixtureRelease, storeTestJob } from './testing';

// Real child processes on a real S3 endpoint. The trainer is the contract fixture
// (test/fixtures/contract-trainer.ts), which does exactly what the contract says and no more.

const FIXTURE = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'test',
  'fixtures',
  'contract-trainer.ts',
);
const COMMAND = [process.execPath, '--import', 'tsx', FIXTURE];

let runtime: Runtime & { dispose(): Promise<void> };
let store: JobStore;
let pidDir: string;
const runners: LocalRunner[] = [];

beforeAll(async () => {
  runtime = await isolatedRuntime('ty-local');
  store = new JobStore(runtime.storage, new JobEventLog(runtime.storage, 'test'));
  pidDir = await mkdtemp(join(tmpdir(), 'trainyard-pids-'));
});
afterAll(async () => {
  await Promise.all(runners.map((r) => r.close()));
  await runtime.dispose();
  await rm(pidDir, { recursive: true, force: true });
});

function runner(options: Partial<LocalRunnerOptions> = {}): LocalRunner {
  const r = new LocalRunner({
    store,
    log: new JobEventLog(runtime.storage, 'runner'),
    config: runtime.config,
    logger: runtime.logger,
    command: COMMAND,
    output: 'ignore',
    maxConcurrent: 1,
    maxAttempts: 3,
    killGraceMs: 1000,
    pollMs: 100,
    retryDelayMs: 10,
    pidDir,
    ...options,
  });
  runners.push(r);
  return r;
}

const job = (model_name: string, epochs = 3) =>
  storeTestJob(store, { model_name, hyperparameters: { epochs } });

const ended = (id: string) =>
  waitFor(
    `job ${id} to end`,
    async () => {
      const s = await store.state(id);
      return ['succeeded', 'failed', 'cancelled'].includes(s.status) && s;
    },
    40_000,
  );

const started = (id: string) =>
  waitFor(`job ${id} to start`, async () => (await store.state(id)).status === 'running');

const events = async <T extends JobEventType>(id: string, type: T) =>
  eventsOfType(await store.log.list(id), type);

{
  let contractRunner: LocalRunner;
  let blockers: string[] = [];
  describeJobQueueContract('local runner', () => ({
    kind: 'local',
    get queue() {
      contractRunner ??= runner();
      return contractRunner;
    },
    store,
    async runToEnd(mode) {
      const spec = await job(`fixture mode=${mode} ms=10`, 2);
      await this.queue.submit(spec);
      await ended(spec.id);
      return spec.id;
    },
    async submitWaiting() {
      // One slot: a long job holds it, so the next one waits.
      const blocker = await job('fixture ms=1000', 60);
      blockers.push(blocker.id);
      await this.queue.submit(blocker);
      const spec = await job('fixture ms=10', 2);
      await this.queue.submit(spec);
      return spec.id;
    },
    async submitRunning() {
      const spec = await job('fixture ms=1000', 60);
      await this.queue.submit(spec);
      await started(spec.id);
      return spec.id;
    },
    async stillRunning(id) {
      return contractRunner.pidsOf(id).length > 0;
    },
    async cleanup() {
      for (const id of blockers) {
        await store.log.append(id, { type: 'job.cancel_requested', message: 'cleanup' });
        await contractRunner.cancel(id);
        await ended(id);
      }
      blockers = [];
    },
  }));
}

describe('local runner', () => {
  it('runs one job at a time by default, in the order submitted', async () => {
    const r = runner();
    // `a` holds after its first epoch until released: b must still wait however slowly we look.
    const a = await job('fixture ms=10 hold=1', 3);
    const b = await job('fixture ms=10', 1);
    await r.submit(a);
    await r.submit(b);
    await waitFor('a checkpoint of a', async () => (await events(a.id, 'checkpoint.saved')).length);
    expect((await store.state(b.id)).status).toBe('queued');
    await runtime.storage.putJson(fixtureRelease(a.id), {});
    const [endA, endB] = [await ended(a.id), await ended(b.id)];
    expect(endA.status).toBe('succeeded');
    expect(endB.status).toBe('succeeded');
    expect(endB.started_at!).toBeGreaterThanOrEqual(endA.finished_at!);
  }, 40_000);

  it('runs parallel trials as one trainer per free slot, each with its AWS_BATCH_JOB_ARRAY_INDEX', async () => {
    const r = runner({ maxConcurrent: 2 });
    const spec = await storeTestJob(store, {
      model_name: 'fixture ms=10',
      hyperparameters: { epochs: 1 },
      tuning: {
        strategy: 'random',
        objective: { metric: 'val_loss' },
        max_trials: 4,
        max_parallel_trials: 3,
        early_stopping: 'none',
        search_space: { 'regularization.dropout': { type: 'uniform', min: 0, max: 0.5 } },
      },
    });
    await r.submit(spec);
    expect((await ended(spec.id)).status).toBe('succeeded');
    // Trainer 0 may finish before trainer 1 has even started (a loaded machine): wait for both.
    await waitFor(
      'both trainers to start',
      async () => (await events(spec.id, 'job.started')).length >= 2,
      20_000,
    );
    const indexes = (await events(spec.id, 'job.started')).map((e) => e.data?.array_index);
    expect(indexes.sort()).toEqual(['0', '1']);
  }, 30_000);

  it('retries a trainer killed with -9; the next attempt resumes after the checkpoint; one model', async () => {
    const r = runner();
    // Held after epoch 2 (checkpointed) until killed: the kill lands mid-job, at a known epoch.
    const spec = await job('fixture ms=50 hold=2', 6);
    await r.submit(spec);
    await waitFor(
      'two checkpoints',
      async () => (await events(spec.id, 'checkpoint.saved')).length >= 2,
    );
    const [pid] = r.pidsOf(spec.id);
    process.kill(pid!, 'SIGKILL');
    const state = await ended(spec.id);
    expect(state).toMatchObject({ status: 'succeeded', attempts: 2, retries: 1 });
    const retrying = await events(spec.id, 'job.retrying');
    expect(retrying[0]?.data).toMatchObject({ attempt: 2, reason: 'killed by SIGKILL' });
    const starts = await events(spec.id, 'job.started');
    expect(starts.map((e) => e.data?.attempt)).toEqual([1, 2]);
    expect(starts[1]!.data!.resumed_from_epoch).toBe(2);
    // Every epoch ran once.
    const epochs = (await events(spec.id, 'epoch.completed')).map((e) => e.data?.epoch);
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6]);
    const models = await runtime.storage.listPage(keys.model(modelIdForJob(spec.id)));
    expect(models.objects.filter((o) => o.key.endsWith('manifest.json'))).toHaveLength(1);
    expect(await events(spec.id, 'job.succeeded')).toHaveLength(1);
  }, 40_000);

  it('gives up after LOCAL_MAX_ATTEMPTS crashes with error code crashed', async () => {
    const r = runner({ maxAttempts: 2 });
    const spec = await job('fixture mode=crash ms=10', 5);
    await r.submit(spec);
    const state = await ended(spec.id);
    expect(state.status).toBe('failed');
    expect(state.error).toMatchObject({ code: 'crashed' });
    expect(state.error!.message).toMatch(/exit code 3.*attempt 2, the last of 2/);
    expect(await events(spec.id, 'job.retrying')).toHaveLength(1);
  }, 40_000);

  it('does not retry a trainer that failed on purpose (exit 1 after job.failed)', async () => {
    const r = runner();
    const spec = await job('fixture mode=fail');
    await r.submit(spec);
    const state = await ended(spec.id);
    expect(state).toMatchObject({ status: 'failed', attempts: 1, retries: 0 });
    expect(state.error).toEqual({
      code: 'dataset_unreadable',
      message: 'fixture: failed on purpose',
      param: null,
    });
  }, 30_000);

  it('SIGKILLs a trainer that ignores SIGTERM after the grace period when cancelled', async () => {
    const r = runner({ killGraceMs: 300 });
    const spec = await job('fixture mode=ignore_term ms=1000', 60);
    await r.submit(spec);
    await started(spec.id);
    const [pid] = r.pidsOf(spec.id);
    await store.log.append(spec.id, { type: 'job.cancel_requested', message: 'test' });
    const t0 = Date.now();
    await r.cancel(spec.id);
    expect((await ended(spec.id)).status).toBe('cancelled');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(() => process.kill(pid!, 0)).toThrow();
  }, 30_000);

  it('stops a running job when another process asks for the cancel (log only)', async () => {
    const r = runner();
    const spec = await job('fixture ms=1000', 60);
    await r.submit(spec);
    await started(spec.id);
    await store.log.append(spec.id, { type: 'job.cancel_requested', message: 'elsewhere' });
    expect((await ended(spec.id)).status).toBe('cancelled');
  }, 30_000);

  it('on close stops its trainers as interrupted; the next start runs them on to the end', async () => {
    const first = runner();
    // Held after epoch 1 (checkpointed): the runner closes mid-job.
    const spec = await job('fixture ms=50 hold=1', 5);
    await first.submit(spec);
    await waitFor(
      'a checkpoint',
      async () => (await events(spec.id, 'checkpoint.saved')).length >= 1,
    );
    await first.close();
    const stopped = await store.state(spec.id);
    expect(stopped.status).toBe('queued');
    expect(await events(spec.id, 'job.interrupted')).toHaveLength(1);

    const second = runner();
    await second.start();
    const state = await ended(spec.id);
    expect(state).toMatchObject({ status: 'succeeded', retries: 0, interruptions: 1 });
    const starts = await events(spec.id, 'job.started');
    expect(starts.map((e) => e.data?.attempt)).toEqual([1, 2]);
    expect(starts[1]!.data!.resumed_from_epoch).toBe(1);
  }, 40_000);

  it('at start, ends trainers a killed platform left behind and runs their jobs again', async () => {
    // A platform killed with -9 writes nothing: the log still says running, the trainer runs on.
    const spec = await job('fixture mode=ignore_term ms=1000', 60);
    const orphan = spawnTrainer({
      command: COMMAND,
      cwd: process.cwd(),
      env: { ...process.env, ...trainerEnvironment(runtime.config), JOB_ID: spec.id },
      output: 'ignore',
    });
    await new PidFiles(pidDir).write(spec.id, [orphan.pid]);
    await started(spec.id);

    const next = runner();
    await next.start();
    expect(await orphan.exited).toMatchObject({ signal: 'SIGKILL' });
    const interrupted = await events(spec.id, 'job.interrupted');
    expect(interrupted[0]?.data).toMatchObject({ reason: 'no live process at start', reaped: 1 });
    await waitFor('attempt 2', async () => (await events(spec.id, 'job.started')).length === 2);
    await store.log.append(spec.id, { type: 'job.cancel_requested', message: 'cleanup' });
    await next.cancel(spec.id);
    expect((await ended(spec.id)).status).toBe('cancelled');
  }, 40_000);
});
