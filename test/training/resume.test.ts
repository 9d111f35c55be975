import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DatasetService } from '@trainyard/datasets';
import {
  JobEventLog,
  keys,
  newId,
  prefixes,
  type Runtime,
  resolveJobSpec,
} from '@trainyard/shared';
import { iris, isolatedRuntime, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startStallProxy } from '../support/s3-stall-proxy';

// The real entrypoint, killed with SIGKILL mid-training and started again as a second attempt.

const root = join(import.meta.dirname, '..', '..');
let runtime: Runtime & { dispose(): Promise<void> };
beforeAll(async () => {
  runtime = await isolatedRuntime('ty-resume');
});
afterAll(() => runtime.dispose());

/** The trainer for `attempt` of `jobId`, on the test's bucket, through `endpoint` when given. */
function startTrainer(jobId: string, attempt: number, endpoint?: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'jobs/train/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      ...(endpoint ? { S3_ENDPOINT: endpoint } : {}),
      S3_BUCKET: runtime.config.s3.bucket,
      JOB_ID: jobId,
      TRAINYARD_ATTEMPT: String(attempt),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

describe('a job killed mid-training', () => {
  it('resumes at the epoch after its last checkpoint and publishes exactly one model', async () => {
    const datasets = new DatasetService({
      storage: runtime.storage,
      logger: runtime.logger,
      uploadMaxBytes: 1 << 20,
    });
    const { header, rows } = iris();
    const { dataset } = await datasets.create({
      name: 'iris',
      task: 'tabular_classification',
      format: 'csv',
      label_column: 'species',
    });
    await datasets.uploadThroughApi(dataset.id, new Blob([toCsv(header, rows)]).stream());
    const ready = await datasets.complete(dataset.id);
    const jobId = newId('ftjob');
    const spec = resolveJobSpec(
      jobId,
      { dataset: dataset.id, hyperparameters: { epochs: 8, early_stopping: null } },
      ready,
    );
    await runtime.storage.putJson(keys.jobSpec(jobId), spec);
    const log = new JobEventLog(runtime.storage, 'test');
    const list = () => log.list(jobId);

    // The first attempt talks to S3 through a proxy that holds every request after the third
    // checkpoint's state.json: it is killed there, mid-training, wherever a poll would have been.
    const proxy = await startStallProxy(
      runtime.config.s3.endpoint!,
      (method, path) =>
        method === 'PUT' && path.endsWith(`/${jobId}/checkpoints/train-epoch-0003/state.json`),
    );
    const first = startTrainer(jobId, 1, proxy.endpoint);
    const firstExit = exited(first);
    try {
      await Promise.race([
        proxy.stalled,
        firstExit.then((e) => {
          throw new Error(`the first attempt ended before its third checkpoint: ${e.code}`);
        }),
      ]);
      first.kill('SIGKILL');
      expect((await firstExit).signal).toBe('SIGKILL');
    } finally {
      await proxy.close();
    }

    // The last complete checkpoint (state.json is written last) decides where training resumes.
    const states = [];
    for await (const o of runtime.storage.list(keys.jobCheckpoints(jobId))) {
      if (o.key.endsWith('state.json'))
        states.push(
          (await runtime.storage.getJson(o.key, z.object({ epoch: z.number().int() }))).epoch,
        );
    }
    const lastCompleted = Math.max(...states) + 1; // 1-based epoch of the last checkpoint
    expect(lastCompleted).toBe(3);
    const before = (await list()).length;

    const second = startTrainer(jobId, 2);
    expect(await exited(second)).toEqual({ code: 0, signal: null });

    const after = (await list()).slice(before);
    const resumed = after.find((e) => e.type === 'job.resumed')!;
    expect(resumed.data).toMatchObject({ epoch: lastCompleted });
    const epochs = after.filter((e) => e.type === 'epoch.completed').map((e) => e.data!.epoch);
    expect(epochs).toEqual(
      Array.from({ length: 8 - lastCompleted }, (_, i) => lastCompleted + 1 + i),
    );
    const succeeded = (await list()).filter((e) => e.type === 'job.succeeded');
    expect(succeeded).toHaveLength(1);

    const manifests: string[] = [];
    for await (const o of runtime.storage.list(prefixes.models))
      if (o.key.endsWith('/manifest.json')) manifests.push(o.key);
    expect(manifests).toEqual([keys.modelManifest(succeeded[0]!.data!.model as string)]);
  }, 180_000);
});
