import { InternalError, type JobStore, keys, modelIdForJob } from '@trainyard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobQueue } from './job-queue';

/** What the contract needs to drive one implementation (its backend real or mocked). */
export interface ContractHarness {
  readonly kind: JobQueue['kind'];
  readonly queue: JobQueue;
  readonly store: JobStore;
  /** Submits a job whose trainer succeeds (`succeed`) or exits 0 with no final event (`exit0`); resolves once the backend is done with it. */
  runToEnd(mode: 'succeed' | 'exit0'): Promise<string>;
  /** Submits a job that its backend has not started yet. */
  submitWaiting(): Promise<string>;
  /** Submits a job and resolves once its trainer has started. */
  submitRunning(): Promise<string>;
  /** Whether the backend still runs something for the job. */
  stillRunning(jobId: string): Promise<boolean>;
  /** After each test: stops what the harness itself started. */
  cleanup(): Promise<void>;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new InternalError(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The behaviour every `JobQueue` owes the API, run against each implementation (Optuna's way
 * of testing storages): the same assertions on the job's event log, whatever runs the job.
 */
export function describeJobQueueContract(name: string, harness: () => ContractHarness): void {
  describe(`JobQueue contract: ${name}`, () => {
    afterEach(() => harness().cleanup());

    const status = async (id: string) => (await harness().store.state(id)).status;
    const types = async (id: string) => (await harness().store.log.refs(id)).map((r) => r.type);
    const hasModel = (id: string) =>
      harness().store.storage.exists(keys.modelManifest(modelIdForJob(id)));

    it('records job.submitted, naming the queue', async () => {
      const h = harness();
      const id = await h.submitWaiting();
      const refs = (await h.store.log.refs(id)).filter((r) => r.type === 'job.submitted');
      const [event] = await h.store.log.read(refs);
      expect(event?.data).toMatchObject({ queue: h.kind });
      expect(await status(id)).toBe('queued');
    });

    it('leaves a job its trainer finished as the trainer left it; reconcile adds nothing', async () => {
      const h = harness();
      const id = await h.runToEnd('succeed');
      const before = await types(id);
      await h.queue.reconcile([id]);
      expect(await types(id)).toEqual(before);
      const state = await h.store.state(id);
      expect(state).toMatchObject({ status: 'succeeded', result_model: modelIdForJob(id) });
    });

    it('fails a job whose trainer ended without a final event (no_final_event)', async () => {
      const h = harness();
      const id = await h.runToEnd('exit0');
      await h.queue.reconcile([id]);
      const state = await waitFor('failed', async () => {
        const s = await h.store.state(id);
        return s.status === 'failed' && s;
      });
      expect(state.error?.code).toBe('no_final_event');
      expect(state.error?.message).toMatch(/job\.succeeded/);
    });

    it('cancels a job that has not started: cancelled, no model', async () => {
      const h = harness();
      const id = await h.submitWaiting();
      await h.store.log.append(id, { type: 'job.cancel_requested', message: 'test' });
      await h.queue.cancel(id);
      await waitFor('cancelled', async () => (await status(id)) === 'cancelled');
      expect(await hasModel(id)).toBe(false);
      expect(await types(id)).not.toContain('job.started');
    });

    it('cancels a running job: its trainer is stopped, cancelled, no model', async () => {
      const h = harness();
      const id = await h.submitRunning();
      await h.store.log.append(id, { type: 'job.cancel_requested', message: 'test' });
      await h.queue.cancel(id);
      await waitFor('cancelled', async () => (await status(id)) === 'cancelled');
      await waitFor('trainer stopped', async () => !(await h.stillRunning(id)));
      expect(await hasModel(id)).toBe(false);
    });

    it('leaves a finished job alone on cancel', async () => {
      const h = harness();
      const id = await h.runToEnd('succeed');
      await h.queue.cancel(id);
      expect(await status(id)).toBe('succeeded');
      expect(await types(id)).not.toContain('job.cancelled');
    });
  });
}
