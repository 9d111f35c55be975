import { join } from 'node:path';
import {
  type Config,
  isTerminal,
  type JobEventLog,
  type JobSpec,
  type JobStore,
  jobCancelled,
  jobFailed,
  type Logger,
  nextAttempt,
} from '@trainyard/shared';
import { trainerEnvironment } from './child-env';
import { type ChildExit, spawnTrainer, type TrainerProcess } from './child-process';
import { tail } from './crash-detail';
import type { JobQueue } from './job-queue';
import { PidFiles } from './pid-files';
import type { WebhookNotifier } from './webhooks';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** The trainer, as the contract with `jobs/train` names it. */
export const TRAINER_COMMAND: readonly string[] = [
  process.execPath,
  '--import',
  'tsx',
  'jobs/train/src/main.ts',
];

export interface LocalRunnerOptions {
  readonly store: JobStore;
  /** The runner's own writer of events (`job.submitted`, `job.retrying`, `job.cancelled`, …). */
  readonly log: JobEventLog;
  /** The S3 endpoint, bucket and credentials the trainers get (see `trainerEnvironment`). */
  readonly config: Config;
  readonly logger: Logger;
  /** Trainer processes at once. Default: `config.queue.maxConcurrentJobs`, else 1. */
  readonly maxConcurrent?: number;
  /** Attempts of a job whose process crashed. Default: `config.queue.maxAttempts`, else 3. */
  readonly maxAttempts?: number;
  /** Default: `node --import tsx jobs/train/src/main.ts`, run from the repository root. */
  readonly command?: readonly string[];
  readonly cwd?: string;
  /** Added to the trainers' environment. */
  readonly env?: Record<string, string>;
  /** Trainer output to this process's stdout/stderr, or dropped. Default `inherit`. */
  readonly output?: 'inherit' | 'ignore';
  /** Between SIGTERM and SIGKILL. Default 5 s. */
  readonly killGraceMs?: number;
  /** How often a running job's log is checked for a cancel from another process. Default 1 s. */
  readonly pollMs?: number;
  /** Before a crashed job's next attempt. Default 1 s. */
  readonly retryDelayMs?: number;
  /** Where pids are kept so that a restart can end trainers a killed platform left behind. */
  readonly pidDir?: string;
  readonly webhooks?: WebhookNotifier;
}

interface Running {
  procs: TrainerProcess[];
  cancelling: boolean;
  width: number;
}

/**
 * The `local` queue: runs each job's trainer as child processes of this one. Nothing is kept
 * only in memory: a job waits as `queued` in its S3 log, and `start()` picks up every job that a
 * stopped platform left queued or running. A crashed attempt (any exit but 0 and 1, or a
 * signal) is retried up to `maxAttempts` times and resumes from its checkpoint; a cancel sends
 * SIGTERM, then SIGKILL after a grace period; `close()` stops the children and records
 * `job.interrupted`, so the next start runs them on.
 */
export class LocalRunner implements JobQueue {
  readonly kind = 'local';
  private readonly pending: string[] = [];
  private readonly jobs = new Map<string, Running>();
  private readonly lifecycles = new Set<Promise<void>>();
  private readonly pids: PidFiles | undefined;
  private slotsUsed = 0;
  private closing = false;
  private readonly max: number;

  constructor(private readonly options: LocalRunnerOptions) {
    const queue = options.config.queue;
    this.max = options.maxConcurrent ?? (queue.kind === 'local' ? queue.maxConcurrentJobs : 1);
    this.pids = options.pidDir ? new PidFiles(options.pidDir) : undefined;
  }

  private get maxAttempts(): number {
    const queue = this.options.config.queue;
    return this.options.maxAttempts ?? (queue.kind === 'local' ? queue.maxAttempts : 3);
  }

  /**
   * Recovery: every job whose log says `validating`, `queued` or `running` has no process now
   * (this runner just started), so it is queued again, oldest first; a due webhook is sent.
   */
  async start(): Promise<void> {
    const { store, log } = this.options;
    const ids: string[] = [];
    for await (const id of store.allIds()) ids.push(id);
    const states = await mapLimit(ids, 8, async (id) => ({ id, state: await store.state(id) }));
    for (const { id, state } of states) {
      if (isTerminal(state.status)) {
        if (state.webhook.requested && !state.webhook.done) void this.options.webhooks?.notify(id);
        continue;
      }
      if (!(await store.spec(id))) continue;
      if (state.status === 'validating') {
        // The API stopped between its writes; the spec was validated before any of them.
        await log.append(id, { type: 'job.queued', message: 'Queued (recovered at start)' });
      }
      if (state.status === 'running') {
        const reaped = (await this.pids?.reap(id)) ?? 0;
        await log.append(id, {
          type: 'job.interrupted',
          level: 'warn',
          message: `The platform stopped while attempt ${nextAttempt(state)} ran; running it again`,
          data: { attempt: nextAttempt(state), reason: 'no live process at start', reaped },
        });
      }
      this.enqueue(id);
    }
    this.options.logger.info({ recovered: this.pending.length }, 'local runner started');
    this.pump();
  }

  async submit(spec: JobSpec): Promise<void> {
    await this.options.log.append(spec.id, {
      type: 'job.submitted',
      message: 'Submitted to the local runner',
      data: { queue: 'local' },
    });
    this.enqueue(spec.id);
    this.pump();
  }

  async cancel(jobId: string): Promise<void> {
    const running = this.jobs.get(jobId);
    if (running) {
      // Its lifecycle writes `job.cancelled` once the processes are gone.
      this.stop(running, true);
      return;
    }
    const at = this.pending.indexOf(jobId);
    if (at >= 0) this.pending.splice(at, 1);
    const state = await this.options.store.state(jobId);
    if (!isTerminal(state.status)) await this.cancelled(jobId, 'before it started');
  }

  async reconcile(): Promise<readonly string[]> {
    // The runner sees its children exit; there is nothing to learn from outside.
    return [];
  }

  /** Stops every trainer and waits for their lifecycles to record `job.interrupted`. */
  async close(): Promise<void> {
    this.closing = true;
    this.pending.length = 0;
    for (const running of this.jobs.values()) this.stop(running, false);
    while (this.lifecycles.size) await Promise.all(this.lifecycles);
    await this.options.webhooks?.close();
  }

  /** The pids of a running job's trainers (tests kill them). */
  pidsOf(jobId: string): number[] {
    return this.jobs.get(jobId)?.procs.map((p) => p.pid) ?? [];
  }

  private enqueue(jobId: string): void {
    if (this.closing || this.jobs.has(jobId) || this.pending.includes(jobId)) return;
    this.pending.push(jobId);
  }

  private pump(): void {
    while (!this.closing && this.pending.length && this.slotsUsed < this.max) {
      const jobId = this.pending.shift()!;
      const running: Running = { procs: [], cancelling: false, width: 1 };
      this.jobs.set(jobId, running);
      this.slotsUsed++;
      const lifecycle = this.lifecycle(jobId, running)
        .catch((error: Error) =>
          this.options.logger.error({ err: error, job: jobId }, 'local runner: job broke off'),
        )
        .finally(() => {
          this.jobs.delete(jobId);
          this.slotsUsed -= running.width;
          this.lifecycles.delete(lifecycle);
          this.pump();
        });
      this.lifecycles.add(lifecycle);
    }
  }

  /** One job from start to its end (or to the platform stopping): attempts and retries. */
  private async lifecycle(jobId: string, running: Running): Promise<void> {
    const { store, log } = this.options;
    for (;;) {
      const spec = await store.spec(jobId);
      const state = await store.state(jobId);
      if (!spec || isTerminal(state.status)) return;
      if (state.cancel_requested || running.cancelling) {
        await this.cancelled(jobId, 'before it started');
        return;
      }
      if (this.closing) return;
      const attempt = nextAttempt(state);
      running.width = this.widthOf(spec, running.width);
      const exits = await this.runAttempt(jobId, attempt, running);
      const after = await store.state(jobId);
      if (isTerminal(after.status)) break;
      if (running.cancelling) {
        await this.cancelled(jobId, 'while it ran');
        break;
      }
      if (this.closing) {
        await log.append(jobId, {
          type: 'job.interrupted',
          level: 'warn',
          message: `The platform stopped during attempt ${attempt}; it runs again at the next start`,
          data: { attempt: attempt + 1, reason: 'platform stopped' },
        });
        return;
      }
      const crash = exits.find((e) => e.signal !== null || (e.code !== 0 && e.code !== 1));
      if (!crash) {
        await this.failed(
          jobId,
          'no_final_event',
          `The trainer exited with code ${exits.map((e) => e.code).join(', ')} without writing job.succeeded or job.failed`,
        );
        break;
      }
      const why = crash.signal ? `killed by ${crash.signal}` : `exit code ${crash.code}`;
      if (after.retries + 1 >= this.maxAttempts) {
        await this.failed(
          jobId,
          'crashed',
          `The trainer crashed (${why}) on attempt ${attempt}, the last of ${this.maxAttempts}${tail(crash)}`,
        );
        break;
      }
      await log.append(jobId, {
        type: 'job.retrying',
        level: 'warn',
        message: `Attempt ${attempt} crashed (${why}); attempt ${attempt + 1} resumes from the last checkpoint`,
        data: { attempt: attempt + 1, reason: why },
      });
      await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 1000));
    }
    void this.options.webhooks?.notify(jobId);
  }

  /**
   * Trainers for one attempt: one, or for a tuning job with `max_parallel_trials` > 1 one per
   * parallel trial (as many as free slots allow), each with its `AWS_BATCH_JOB_ARRAY_INDEX` as
   * on Batch. Resolves when all have exited.
   */
  private async runAttempt(jobId: string, attempt: number, running: Running): Promise<ChildExit[]> {
    const { config, env, output } = this.options;
    const base = {
      ...process.env,
      ...trainerEnvironment(config),
      ...env,
      JOB_ID: jobId,
      TRAINYARD_ATTEMPT: String(attempt),
    };
    running.procs = Array.from({ length: running.width }, (_, index) =>
      spawnTrainer({
        command: this.options.command ?? TRAINER_COMMAND,
        cwd: this.options.cwd ?? REPO_ROOT,
        env: running.width > 1 ? { ...base, AWS_BATCH_JOB_ARRAY_INDEX: String(index) } : base,
        output: output ?? 'inherit',
      }),
    );
    await this.pids?.write(
      jobId,
      running.procs.map((p) => p.pid),
    );
    this.options.logger.info(
      { job: jobId, attempt, pids: running.procs.map((p) => p.pid) },
      'trainer started',
    );
    if (running.cancelling || this.closing) this.stop(running, running.cancelling);
    const watching = this.watchForCancel(jobId, running);
    const exits = await Promise.all(running.procs.map((p) => p.exited));
    watching.stop();
    await this.pids?.remove(jobId);
    this.options.logger.info({ job: jobId, attempt, exits }, 'trainer exited');
    return exits;
  }

  /** Parallel trials take extra slots when they are free (never fewer than the one it holds). */
  private widthOf(spec: JobSpec, held: number): number {
    const want = spec.tuning
      ? Math.min(spec.tuning.max_parallel_trials, spec.tuning.max_trials, this.max)
      : 1;
    const extra = Math.max(0, Math.min(want - held, this.max - this.slotsUsed));
    this.slotsUsed += extra;
    return held + extra;
  }

  /** A cancel may come from another process (an API on its own): watch the log for it. */
  private watchForCancel(jobId: string, running: Running): { stop(): void } {
    let last: string | undefined;
    let stopped = false;
    const tick = async () => {
      while (!stopped) {
        await new Promise((r) => setTimeout(r, this.options.pollMs ?? 1000));
        if (stopped) return;
        const refs = await this.options.log
          .refs(jobId, last ? { after: last } : {})
          .catch(() => []);
        last = refs.at(-1)?.id ?? last;
        if (refs.some((r) => r.type === 'job.cancel_requested')) this.stop(running, true);
      }
    };
    void tick();
    return {
      stop() {
        stopped = true;
      },
    };
  }

  private stop(running: Running, cancel: boolean): void {
    if (cancel) running.cancelling = true;
    for (const p of running.procs) p.terminate(this.options.killGraceMs ?? 5000);
  }

  private async cancelled(jobId: string, when: string): Promise<void> {
    await this.options.log.append(jobId, jobCancelled(`Cancelled ${when}; no model is published`));
    void this.options.webhooks?.notify(jobId);
  }

  private async failed(jobId: string, code: string, message: string): Promise<void> {
    await this.options.log.append(jobId, jobFailed({ code, message }));
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, f: (t: T) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!);
      }
    }),
  );
  return out;
}
