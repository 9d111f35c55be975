import { eventsOfType, JobEventLog, type Runtime } from '@trainyard/shared';
import { isolatedRuntime } from '@trainyard/testing';
import { createSampler, Study, type StudyEvent } from '@trainyard/tuning';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimTrial } from './claim';
import { StudyJournal } from './journal';
import type { StudyTerms } from './messages';

let runtime: Runtime & { dispose(): Promise<void> };
beforeAll(async () => {
  runtime = await isolatedRuntime('ty-journal');
});
afterAll(() => runtime.dispose());

const terms: StudyTerms = { metric: 'val_loss', direction: 'minimize', pruner: 'median' };
const space = { x: { type: 'uniform' as const, min: 0, max: 1 } };

describe('StudyJournal', () => {
  it('keeps a study in the job log: what two workers append, a third reads back and replays', async () => {
    const job = 'ftjob_0journal';
    const a = new StudyJournal(
      new JobEventLog(runtime.storage, 'a'),
      job,
      { attempt: 1, worker: 'w0a' },
      terms,
    );
    const b = new StudyJournal(
      new JobEventLog(runtime.storage, 'b'),
      job,
      { attempt: 2, worker: 'w1b' },
      terms,
    );
    // Interleaved as concurrent workers write them; each trial's own events stay in order.
    await a.append([{ type: 'trial_started', number: 0, params: { x: 0.25 } }]);
    await b.append([{ type: 'trial_started', number: 1, params: { x: 0.75 } }]);
    await b.append([{ type: 'trial_reported', number: 1, step: 0, value: 0.9 }]);
    await a.append([
      { type: 'trial_reported', number: 0, step: 0, value: 0.5 },
      { type: 'trial_completed', number: 0, value: 0.4 },
    ]);
    await b.append([{ type: 'trial_failed', number: 1, error: 'diverged' }]);

    const read = await new StudyJournal(
      new JobEventLog(runtime.storage, 'c'),
      job,
      { attempt: 3, worker: 'w0c' },
      terms,
    ).read();
    expect(read.events).toEqual<StudyEvent[]>([
      { type: 'trial_started', number: 0, params: { x: 0.25 } },
      { type: 'trial_reported', number: 0, step: 0, value: 0.5 },
      { type: 'trial_completed', number: 0, value: 0.4 },
      { type: 'trial_started', number: 1, params: { x: 0.75 } },
      { type: 'trial_reported', number: 1, step: 0, value: 0.9 },
      { type: 'trial_failed', number: 1, error: 'diverged' },
    ]);
    expect([...read.startedIn]).toEqual([
      [0, 1],
      [1, 2],
    ]);
    const study = new Study({
      sampler: createSampler('random', space, { seed: 1 }),
      direction: 'minimize',
      maxTrials: 3,
      events: read.events,
    });
    expect(study.trials.map((t) => t.state)).toEqual(['completed', 'failed']);
    expect(study.bestTrial?.number).toBe(0);

    // As the job's events: typed trial.* events naming the metric and the writer.
    const log = await new JobEventLog(runtime.storage, 'api').list(job);
    const completed = eventsOfType(log, 'trial.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({
      message: 'trial 0 completed: val_loss 0.4000',
      data: { number: 0, value: 0.4, attempt: 1, worker: 'w0a' },
    });
    expect(eventsOfType(log, 'trial.failed')[0]).toMatchObject({
      level: 'warn',
      data: { error: 'diverged' },
    });
  });

  it('records a live study’s events and appends them at flush, in order', async () => {
    const job = 'ftjob_0journalflush';
    const journal = new StudyJournal(
      new JobEventLog(runtime.storage, 'a'),
      job,
      { attempt: 1, worker: 'w0' },
      terms,
    );
    const study = new Study({
      sampler: createSampler('random', space, { seed: 7 }),
      direction: 'minimize',
      maxTrials: 2,
      onEvent: journal.record,
    });
    const trial = study.ask()!;
    study.report(trial.number, 0, 0.3);
    expect((await journal.read()).events).toEqual([]);
    await journal.flush();
    study.tell(trial.number, 0.3);
    await journal.flush();
    await journal.flush(); // nothing pending: writes nothing
    const events = (await journal.read()).events;
    expect(events.map((e) => e.type)).toEqual([
      'trial_started',
      'trial_reported',
      'trial_completed',
    ]);
    expect(events[0]).toEqual({ type: 'trial_started', number: 0, params: trial.params });
  });
});

describe('claimTrial', () => {
  it('gives a trial to exactly one of the workers that claim it at once, per attempt', async () => {
    const job = 'ftjob_0claims';
    const workers = ['w0aaaa', 'w1bbbb', 'w2cccc', 'w3dddd'];
    const won = await Promise.all(workers.map((w) => claimTrial(runtime.storage, job, 1, 5, w)));
    expect(won.filter(Boolean)).toHaveLength(1);
    // A later claimer of the same trial loses; another trial is free; a new attempt claims anew.
    expect(await claimTrial(runtime.storage, job, 1, 5, 'w4eeee')).toBe(false);
    expect(await claimTrial(runtime.storage, job, 1, 6, 'w4eeee')).toBe(true);
    expect(await claimTrial(runtime.storage, job, 2, 5, 'w4eeee')).toBe(true);
  });
});
