/**
 * The training job's entrypoint, the same for the local runner and AWS Batch:
 *   JOB_ID=ftjob_… [TRAINYARD_ATTEMPT=n] node --import tsx jobs/train/src/main.ts
 * Exit codes: 0 the model is published (`job.succeeded` written); 1 the job failed for good
 * (`job.failed` written: bad data, a base that does not fit…; not worth retrying); 143 stopped by
 * SIGTERM (cancel, spot reclaim); anything else is a crash the runner may retry (it resumes from
 * the last checkpoint).
 */
import { outOfMemory, selectBackend, TrainingStopped, wasmThreadsFor } from '@trainyard/ml';
import {
  createRuntime,
  foldJobEvents,
  isCallerError,
  isTerminal,
  JobEventLog,
  jobFailed,
  jobSpecSchema,
  jobSucceeded,
  keys,
  loadConfigOrExit,
  TrainyardError,
} from '@trainyard/shared';
import { runJob } from './run-job';

const jobId = process.env.JOB_ID;
if (!jobId) {
  process.stderr.write(
    'JOB_ID is not set: expected the id of the fine-tuning job to run (ftjob_…)\n',
  );
  process.exit(1);
}
const config = loadConfigOrExit();
const runtime = createRuntime(config, 'train');
const { storage, logger } = runtime;
const attempt = Number(process.env.TRAINYARD_ATTEMPT ?? process.env.AWS_BATCH_JOB_ATTEMPT ?? 1);
const events = new JobEventLog(storage, `train${attempt}`);
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    logger.warn({ job: jobId, signal }, 'stopping at the next batch');
    stopping = true;
  });
}

/**
 * The `job.failed` error for a failure the job cannot get past by retrying: a `JobFailure`, any
 * error of a kind the job's spec or data caused (`isCallerError`), or the backend running out
 * of memory (by the error's type: `outOfMemory`). `undefined` for a crash, which may be retried.
 */
function failure(
  error: unknown,
): { code: string; message: string; param: string | null } | undefined {
  const known =
    error instanceof TrainyardError && isCallerError(error) ? error : outOfMemory(error);
  if (!known) return undefined;
  return { code: known.code, message: known.message, param: known.param ?? null };
}

async function main(): Promise<number> {
  const spec = await storage.tryGetJson(keys.jobSpec(jobId!), jobSpecSchema);
  if (!spec) {
    logger.error({ job: jobId }, 'no job spec in S3');
    return 1;
  }
  const state = foldJobEvents(await events.list(jobId!));
  if (isTerminal(state.status)) return state.status === 'succeeded' ? 0 : 1;
  if (state.cancel_requested) return 143;

  const choice = await selectBackend({
    preference: config.backend,
    wasm: { threads: config.wasmThreads ?? wasmThreadsFor(spec.architecture.type) },
  });
  await events.append(jobId!, {
    type: 'job.started',
    message: `attempt ${attempt} started on the ${choice.backend} backend`,
    data: {
      attempt,
      backend: choice.backend,
      array_index: process.env.AWS_BATCH_JOB_ARRAY_INDEX ?? null,
    },
  });
  await events.append(jobId!, {
    type: 'job.backend',
    message: `TensorFlow.js backend: ${choice.backend}${
      choice.attempts.length > 1
        ? ` (${choice.attempts
            .filter((a) => !a.ok)
            .map((a) => `${a.backend}: ${'reason' in a ? a.reason : ''}`)
            .join('; ')})`
        : ''
    }`,
    data: {
      backend: choice.backend,
      attempts: [...choice.attempts],
    },
  });
  // The job's runtime counts from its first start, whichever attempt this is.
  const jobSeconds = spec.max_runtime_seconds ?? config.jobs.maxRuntimeSeconds;
  const firstStart = state.started_at === null ? Date.now() : state.started_at * 1000;
  try {
    const model = await runJob({
      spec,
      storage,
      events,
      logger,
      backend: choice.backend,
      attempt,
      stopping: () => stopping,
      limits: {
        jobDeadline: firstStart + jobSeconds * 1000,
        jobSeconds,
        trialSeconds: spec.tuning?.max_trial_runtime_seconds ?? config.jobs.maxTrialRuntimeSeconds,
      },
    });
    // A parallel tuning worker other than the lead ends here; the lead publishes and says so.
    if (model) {
      await events.append(jobId!, jobSucceeded(model));
    }
    return 0;
  } catch (error) {
    if (error instanceof TrainingStopped) return 143;
    const known = failure(error);
    if (!known) throw error;
    await events.append(jobId!, jobFailed(known));
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    logger.error({ err: error, job: jobId }, 'training crashed');
    process.exit(70);
  },
);
