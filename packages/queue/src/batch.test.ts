import {
  BatchClient,
  DescribeJobsCommand,
  type JobDetail,
  SubmitJobCommand,
  TerminateJobCommand,
} from '@aws-sdk/client-batch';
import {
  eventsOfType,
  JobEventLog,
  JobStore,
  jobFailed,
  jobSucceeded,
  modelIdForJob,
  type Runtime,
} from '@trainyard/shared';
import { isolatedRuntime } from '@trainyard/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BatchQueue, type BatchQueueOptions } from './batch';
import { describeJobQueueContract } from './queue-contract';
import { storeTestJob } from './testing';

// AWS Batch cannot run here: the SDK is mocked and every request is asserted exactly. The event
// log is real (a bucket on the real S3 endpoint); the tests play the trainer's part in it.

const QUEUE = 'arn:aws:batch:eu-west-1:123456789012:job-queue/trainyard-gpu';
const DEFINITION = 'arn:aws:batch:eu-west-1:123456789012:job-definition/trainyard-train:3';

let runtime: Runtime & { dispose(): Promise<void> };
let store: JobStore;
const batch = mockClient(BatchClient);
/** What DescribeJobs answers, by Batch job id; absent ids are unknown to Batch. */
const described = new Map<string, Partial<JobDetail>>();
const terminated = new Set<string>();
let submitted = 0;

beforeAll(async () => {
  runtime = await isolatedRuntime('ty-batch');
  store = new JobStore(runtime.storage, new JobEventLog(runtime.storage, 'test'));
});
afterAll(() => runtime.dispose());
beforeEach(() => {
  batch.reset();
  batch.on(SubmitJobCommand).callsFake((input) => {
    const jobId = `b-${++submitted}`;
    described.set(jobId, { jobId, status: 'SUBMITTED' });
    return { jobId, jobName: input.jobName, jobArn: `arn:aws:batch:::job/${jobId}` };
  });
  batch.on(DescribeJobsCommand).callsFake((input: { jobs: string[] }) => ({
    jobs: input.jobs.filter((id) => described.has(id)).map((id) => described.get(id)),
  }));
  batch.on(TerminateJobCommand).callsFake((input: { jobId: string }) => {
    terminated.add(input.jobId);
    described.set(input.jobId, { jobId: input.jobId, status: 'FAILED', statusReason: 'Cancelled' });
    return {};
  });
});

function queue(options: Partial<BatchQueueOptions> = {}): BatchQueue {
  return new BatchQueue({
    client: new BatchClient({ region: 'eu-west-1' }),
    store,
    log: new JobEventLog(runtime.storage, 'batch'),
    logger: runtime.logger,
    jobQueue: QUEUE,
    jobDefinition: DEFINITION,
    reconcileEverySeconds: 0,
    ...options,
  });
}

/** The Batch job id the queue recorded for a job. */
async function batchIdOf(jobId: string): Promise<string> {
  const refs = (await store.log.refs(jobId)).filter((r) => r.type === 'job.submitted');
  const [event] = eventsOfType(await store.log.read(refs), 'job.submitted');
  return event!.data.batch_job_id as string;
}

/** The trainer's part, as the container would write it. */
async function play(jobId: string, ending: 'succeed' | 'none'): Promise<void> {
  const log = new JobEventLog(runtime.storage, 'train');
  await log.append(jobId, {
    type: 'job.started',
    message: 'started',
    data: { attempt: 1, backend: 'cpu', array_index: null },
  });
  if (ending === 'succeed') await log.append(jobId, jobSucceeded(modelIdForJob(jobId), 'done'));
}

{
  let q: BatchQueue;
  describeJobQueueContract('AWS Batch (mocked SDK)', () => ({
    kind: 'batch',
    get queue() {
      q ??= queue();
      return q;
    },
    store,
    async runToEnd(mode) {
      const spec = await storeTestJob(store);
      await this.queue.submit(spec);
      await play(spec.id, mode === 'succeed' ? 'succeed' : 'none');
      const id = await batchIdOf(spec.id);
      described.set(id, { jobId: id, status: 'SUCCEEDED' });
      return spec.id;
    },
    async submitWaiting() {
      const spec = await storeTestJob(store);
      await this.queue.submit(spec);
      const id = await batchIdOf(spec.id);
      described.set(id, { jobId: id, status: 'RUNNABLE' });
      return spec.id;
    },
    async submitRunning() {
      const spec = await storeTestJob(store);
      await this.queue.submit(spec);
      await play(spec.id, 'none');
      const id = await batchIdOf(spec.id);
      described.set(id, { jobId: id, status: 'RUNNING' });
      return spec.id;
    },
    async stillRunning(jobId) {
      return !terminated.has(await batchIdOf(jobId));
    },
    async cleanup() {},
  }));
}

describe('BatchQueue requests', () => {
  it('submits one job with JOB_ID in the container environment and the spot retry strategy', async () => {
    const spec = await storeTestJob(store);
    await queue().submit(spec);
    const calls = batch.commandCalls(SubmitJobCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      jobName: `trainyard-${spec.id}`,
      jobQueue: QUEUE,
      jobDefinition: DEFINITION,
      containerOverrides: { environment: [{ name: 'JOB_ID', value: spec.id }] },
      retryStrategy: {
        attempts: 5,
        evaluateOnExit: [
          { onStatusReason: 'Host EC2*', action: 'RETRY' },
          { onReason: '*', action: 'EXIT' },
        ],
      },
      propagateTags: true,
      tags: { 'trainyard:job': spec.id },
    });
    const [event] = await store.log.read(
      (await store.log.refs(spec.id)).filter((r) => r.type === 'job.submitted'),
    );
    expect(event!.data).toEqual({
      queue: 'batch',
      batch_job_id: `b-${submitted}`,
      batch_job_arn: `arn:aws:batch:::job/b-${submitted}`,
      array_size: null,
    });
  });

  it('submits parallel trials as an array job of min(max_parallel_trials, max_trials)', async () => {
    const tuning = (max_parallel_trials: number, max_trials: number) =>
      storeTestJob(store, {
        tuning: {
          strategy: 'random',
          objective: { metric: 'val_loss' },
          max_trials,
          max_parallel_trials,
          early_stopping: 'none',
          search_space: { 'regularization.dropout': { type: 'uniform', min: 0, max: 0.5 } },
        },
      });
    const q = queue();
    await q.submit(await tuning(4, 20));
    await q.submit(await tuning(8, 3));
    await q.submit(await tuning(1, 20));
    const inputs = batch.commandCalls(SubmitJobCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.arrayProperties)).toEqual([{ size: 4 }, { size: 3 }, undefined]);
  });

  it('answers 503 queue_unavailable when Batch refuses the job', async () => {
    batch.on(SubmitJobCommand).rejects(new Error('AccessDeniedException: not allowed'));
    const spec = await storeTestJob(store);
    await expect(queue().submit(spec)).rejects.toMatchObject({
      kind: 'unavailable', // the error handler answers it as 503
      code: 'queue_unavailable',
      message: expect.stringContaining('not allowed'),
    });
  });

  it('terminates the Batch job on cancel and ends the job cancelled', async () => {
    const q = queue();
    const spec = await storeTestJob(store);
    await q.submit(spec);
    const id = await batchIdOf(spec.id);
    await q.cancel(spec.id);
    expect(batch.commandCalls(TerminateJobCommand)[0]!.args[0].input).toEqual({
      jobId: id,
      reason: 'Cancelled through the Trainyard API',
    });
    expect((await store.state(spec.id)).status).toBe('cancelled');
  });
});

describe('BatchQueue reconciliation, by Batch status', () => {
  async function submittedJob(detail: Partial<JobDetail>) {
    const q = queue();
    const spec = await storeTestJob(store);
    await q.submit(spec);
    const id = await batchIdOf(spec.id);
    described.set(id, { jobId: id, ...detail });
    return { q, spec, id };
  }

  for (const status of ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING'] as const) {
    it(`${status}: leaves the job as its log says`, async () => {
      const { q, spec } = await submittedJob({ status });
      const before = await store.log.refs(spec.id);
      await q.reconcile([spec.id]);
      expect(await store.log.refs(spec.id)).toEqual(before);
      expect((await store.state(spec.id)).status).toBe('queued');
    });
  }

  it('FAILED without a final event: failed with Batch’s reason and exit code', async () => {
    const { q, spec, id } = await submittedJob({
      status: 'FAILED',
      statusReason: 'Essential container in task exited',
      container: { exitCode: 137 },
      attempts: [{}],
    });
    await q.reconcile([spec.id]);
    const state = await store.state(spec.id);
    expect(state.status).toBe('failed');
    expect(state.error).toEqual({
      code: 'crashed',
      message: `AWS Batch job ${id} failed (Essential container in task exited; exit code 137) after 1 attempt(s), without a final event`,
      param: null,
    });
  });

  it('FAILED after spot reclaims used every attempt: failed spot_reclaimed', async () => {
    const { q, spec } = await submittedJob({
      status: 'FAILED',
      statusReason: 'Host EC2 (instance i-0abc) terminated.',
      attempts: [{}, {}, {}, {}, {}],
    });
    await q.reconcile([spec.id]);
    const state = await store.state(spec.id);
    expect(state.error?.code).toBe('spot_reclaimed');
    expect(state.error?.message).toMatch(/after 5 attempt\(s\)/);
  });

  it('FAILED with the trainer’s own job.failed: keeps the trainer’s error', async () => {
    const { q, spec } = await submittedJob({ status: 'FAILED', statusReason: 'exit 1' });
    const error = { code: 'out_of_memory', message: 'the GPU ran out of memory', param: null };
    await new JobEventLog(runtime.storage, 'train').append(spec.id, jobFailed(error));
    await q.reconcile([spec.id]);
    expect((await store.state(spec.id)).error).toEqual(error);
    expect((await store.log.refs(spec.id)).filter((r) => r.type === 'job.failed')).toHaveLength(1);
  });

  it('SUCCEEDED without a final event: failed no_final_event', async () => {
    const { q, spec } = await submittedJob({ status: 'SUCCEEDED' });
    await q.reconcile([spec.id]);
    expect((await store.state(spec.id)).error?.code).toBe('no_final_event');
  });

  it('unknown to Batch: lost only once the job is older than lostAfterSeconds', async () => {
    const { spec, id } = await submittedJob({});
    described.delete(id);
    await queue().reconcile([spec.id]);
    expect((await store.state(spec.id)).status).toBe('queued');
    await queue({ now: () => Date.now() + 11 * 60_000 }).reconcile([spec.id]);
    expect((await store.state(spec.id)).error?.code).toBe('backend_lost');
  });

  it('describes many jobs in one request, and each job at most once per interval', async () => {
    const q = queue({ reconcileEverySeconds: 60 });
    const specs = [];
    for (let i = 0; i < 3; i++) {
      const spec = await storeTestJob(store);
      await q.submit(spec);
      specs.push(spec.id);
    }
    await q.reconcile(specs);
    await q.reconcile(specs);
    const calls = batch.commandCalls(DescribeJobsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.jobs).toHaveLength(3);
  });

  it('does not describe finished jobs', async () => {
    const q = queue();
    const spec = await storeTestJob(store);
    await q.submit(spec);
    await play(spec.id, 'succeed');
    await q.reconcile([spec.id]);
    expect(batch.commandCalls(DescribeJobsCommand)).toHaveLength(0);
  });
});

describe('BatchQueue webhooks', () => {
  it('sends the webhook of a job the trainer ended in its container, when reconciled', async () => {
    const notified: string[] = [];
    const webhooks = {
      notify: async (id: string) => void notified.push(id),
      close: async () => {},
    };
    const q = queue({ webhooks: webhooks as never });
    const spec = await storeTestJob(
      store,
      { webhook: { url: 'http://127.0.0.1:1/hook', events: ['succeeded'] } },
      'whsec_0123456789abcdef',
    );
    await q.submit(spec);
    await play(spec.id, 'succeed');
    await q.reconcile([spec.id]);
    expect(notified).toEqual([spec.id]);
    expect(batch.commandCalls(DescribeJobsCommand)).toHaveLength(0);
  });
});
