import { eventsOfType, type JobEventLog } from '@trainyard/shared';
import type { StudyEvent } from '@trainyard/tuning';
import { type StudyTerms, type TrialWriter, trialEvent } from './messages';

/** A study as its journal holds it: its events, and the attempt each trial was started in. */
export interface StudyLog {
  /** In an order `new Study({ events })` can replay: by trial, each trial's events in log order. */
  readonly events: StudyEvent[];
  /** Trial number → the attempt (1-based) whose worker started it. */
  readonly startedIn: ReadonlyMap<number, number>;
}

const TRIAL_TYPES = [
  'trial.started',
  'trial.reported',
  'trial.completed',
  'trial.pruned',
  'trial.failed',
] as const;

/**
 * A tuning study's storage, in the shape of Optuna's `JournalStorage`: the study is its log of
 * events, kept as the `trial.*` events of the job's own event log. `read()` is `read_logs` (the
 * study so far, from any process), `append()` is `append_logs`. Workers and attempts append
 * concurrently; the log never needs a read-modify-write.
 */
export class StudyJournal {
  private readonly pending: StudyEvent[] = [];

  /**
   * @param log the job's event log; `jobId` the job.
   * @param writer the attempt and worker each event is recorded with.
   * @param terms the metric and pruner named in the events' messages.
   */
  constructor(
    private readonly log: JobEventLog,
    private readonly jobId: string,
    private readonly writer: TrialWriter,
    private readonly terms: StudyTerms,
  ) {}

  /** The study so far (`read_logs`). */
  async read(): Promise<StudyLog> {
    const refs = (await this.log.refs(this.jobId)).filter((r) => r.type.startsWith('trial.'));
    const events: StudyEvent[] = [];
    const startedIn = new Map<number, number>();
    for (const e of eventsOfType(await this.log.read(refs), ...TRIAL_TYPES)) {
      const { number } = e.data;
      switch (e.type) {
        case 'trial.started':
          events.push({ type: 'trial_started', number, params: e.data.params });
          startedIn.set(number, e.data.attempt);
          break;
        case 'trial.reported':
          events.push({ type: 'trial_reported', number, step: e.data.step, value: e.data.value });
          break;
        case 'trial.completed':
          events.push({ type: 'trial_completed', number, value: e.data.value });
          break;
        case 'trial.pruned':
          events.push({ type: 'trial_pruned', number });
          break;
        case 'trial.failed':
          events.push({ type: 'trial_failed', number, error: e.data.error });
          break;
      }
    }
    // Workers append concurrently: order by trial, keeping each trial's own events in log order.
    const order = (e: StudyEvent) => e.number * 2 + (e.type === 'trial_started' ? 0 : 1);
    events.sort((a, b) => order(a) - order(b));
    return { events, startedIn };
  }

  /** Keeps a study event to append at the next `flush()`: a `Study`'s `onEvent`. */
  readonly record = (event: StudyEvent): void => {
    this.pending.push(event);
  };

  /** Appends the events recorded so far, in order (`append_logs`). */
  async flush(): Promise<void> {
    await this.append(this.pending.splice(0));
  }

  /** Appends `events` to the journal, in order (`append_logs`). */
  async append(events: readonly StudyEvent[]): Promise<void> {
    for (const event of events) {
      await this.log.append(this.jobId, trialEvent(event, this.writer, this.terms));
    }
  }
}
