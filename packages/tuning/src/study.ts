import { TrialStateError, TuningError } from './errors';
import { NonePruner } from './pruners/none';
import type { Pruner } from './pruners/pruner';
import type { Sampler } from './samplers/sampler';
import { type Direction, isBetter, type Params, type TrialRecord, type TrialState } from './types';

/**
 * What happened to a study, one fact per event. A store keeps a study as the append-only list of
 * these (one S3 object each, say) and rebuilds it with `new Study({ …, events })`.
 */
export type StudyEvent =
  | { type: 'trial_started'; number: number; params: Params }
  | { type: 'trial_reported'; number: number; step: number; value: number }
  | { type: 'trial_completed'; number: number; value: number }
  | { type: 'trial_pruned'; number: number }
  | { type: 'trial_failed'; number: number; error: string };

/** `running` while trials run or remain; then `completed` if any trial completed, else `failed`. */
export type StudyStatus = 'running' | 'completed' | 'failed';

/** Options of {@link Study}. */
export interface StudyArgs {
  sampler: Sampler;
  /** Default: a pruner that never prunes. */
  pruner?: Pruner;
  direction: Direction;
  /** Trials to run in all, whatever their outcome; a grid caps it at its size. */
  maxTrials: number;
  /** Events of this study so far, replayed before anything else. Default none. */
  events?: readonly StudyEvent[];
  /** Called with each new event once it is applied: where a store appends it to its log. */
  onEvent?: (event: StudyEvent) => void;
}

interface MutableTrial {
  number: number;
  state: TrialState;
  params: Params;
  value?: number;
  intermediate: Record<number, number>;
  error?: string;
}

/**
 * Ask-and-tell orchestration of a tuning study, independent of where trials run and where the
 * study is stored: `ask()` gives the next trial's parameters, `report()` feeds per-epoch values
 * to the pruner, `tell()` or `fail()` ends a trial. Failed trials are recorded and ignored by the
 * samplers and by `bestTrial`; the study fails only when no trial completed.
 *
 * Every change is an event applied through one function, for live calls and replays alike, so a
 * study rebuilt from its stored events is the study that wrote them.
 */
export class Study {
  readonly direction: Direction;
  readonly maxTrials: number;
  private readonly sampler: Sampler;
  private readonly pruner: Pruner;
  private readonly onEvent: ((event: StudyEvent) => void) | undefined;
  private readonly list: MutableTrial[] = [];

  constructor(args: StudyArgs) {
    if (!Number.isInteger(args.maxTrials) || args.maxTrials < 1) {
      throw new TuningError(`max_trials must be a positive integer; received ${args.maxTrials}`, {
        param: 'tuning.max_trials',
      });
    }
    this.sampler = args.sampler;
    this.pruner = args.pruner ?? new NonePruner();
    this.direction = args.direction;
    this.maxTrials = Math.min(args.maxTrials, args.sampler.size ?? Number.POSITIVE_INFINITY);
    for (const event of args.events ?? []) this.apply(event);
    this.onEvent = args.onEvent;
  }

  /** Every trial so far, by number. */
  get trials(): readonly TrialRecord[] {
    return this.list;
  }

  /** The completed trial with the best objective (the earliest among equals), if any. */
  get bestTrial(): TrialRecord | undefined {
    let best: MutableTrial | undefined;
    for (const trial of this.list) {
      if (trial.state !== 'completed') continue;
      if (!best || isBetter(trial.value!, best.value!, this.direction)) best = trial;
    }
    return best;
  }

  get status(): StudyStatus {
    if (this.list.length < this.maxTrials || this.list.some((t) => t.state === 'running')) {
      return 'running';
    }
    return this.list.some((t) => t.state === 'completed') ? 'completed' : 'failed';
  }

  /** Why the study failed, naming the first trial error; `undefined` unless it failed. */
  get failureReason(): string | undefined {
    if (this.status !== 'failed') return undefined;
    const failed = this.list.filter((t) => t.state === 'failed');
    const firstError = failed[0]?.error;
    const pruned = this.list.length - failed.length;
    const counts =
      pruned === 0
        ? `all ${failed.length} trials failed`
        : `no trial completed: ${failed.length} failed, ${pruned} pruned`;
    return firstError === undefined
      ? counts
      : `${counts}; trial ${failed[0]!.number}: ${firstError}`;
  }

  /**
   * Starts the next trial with the sampler's parameters, or returns `undefined` when the study
   * has asked for all its trials (`maxTrials`, or the whole grid).
   */
  ask(): { number: number; params: Params } | undefined {
    if (this.list.length >= this.maxTrials) return undefined;
    const number = this.list.length;
    const params = this.sampler.suggest({
      trialNumber: number,
      trials: this.list,
      direction: this.direction,
    });
    this.emit({ type: 'trial_started', number, params });
    return { number, params };
  }

  /**
   * Records a trial's intermediate objective at `step` (an epoch) and asks the pruner about it.
   * Returns `true` when the trial is to stop; it is then already marked `pruned`.
   */
  report(number: number, step: number, value: number): boolean {
    this.running(number, 'report');
    if (!Number.isInteger(step) || step < 0) {
      throw new TuningError(`step must be a non-negative integer; received ${step}`, {
        param: 'step',
      });
    }
    this.emit({ type: 'trial_reported', number, step, value });
    const trial = this.list[number]!;
    if (!this.pruner.shouldPrune({ trial, trials: this.list, direction: this.direction }))
      return false;
    this.emit({ type: 'trial_pruned', number });
    return true;
  }

  /** Completes a trial with its final objective. A value that is not finite fails the trial. */
  tell(number: number, value: number): TrialRecord {
    this.running(number, 'tell');
    this.emit(
      Number.isFinite(value)
        ? { type: 'trial_completed', number, value }
        : { type: 'trial_failed', number, error: `the objective was ${value}` },
    );
    return this.list[number]!;
  }

  /** Records that a trial failed (it crashed, ran out of memory, …) and why. */
  fail(number: number, error: string): TrialRecord {
    this.running(number, 'fail');
    this.emit({ type: 'trial_failed', number, error });
    return this.list[number]!;
  }

  private running(number: number, action: string): void {
    const trial = this.list[number];
    if (!trial)
      throw new TrialStateError(`cannot ${action} trial ${number}: no such trial`, {
        code: 'trial_not_found',
      });
    if (trial.state !== 'running') {
      throw new TrialStateError(`cannot ${action} trial ${number}: it is ${trial.state}`, {
        code: 'trial_not_running',
      });
    }
  }

  private emit(event: StudyEvent): void {
    this.apply(event);
    this.onEvent?.(event);
  }

  private apply(event: StudyEvent): void {
    if (event.type === 'trial_started') {
      if (event.number !== this.list.length) {
        throw new TrialStateError(
          `trial ${event.number} started out of order; expected trial ${this.list.length}`,
          { code: 'study_log_corrupt' },
        );
      }
      this.list.push({
        number: event.number,
        state: 'running',
        params: event.params,
        intermediate: {},
      });
      return;
    }
    const trial = this.list[event.number];
    if (trial?.state !== 'running') {
      throw new TrialStateError(`${event.type} for trial ${event.number}, which is not running`, {
        code: 'study_log_corrupt',
      });
    }
    switch (event.type) {
      case 'trial_reported':
        trial.intermediate[event.step] = event.value;
        return;
      case 'trial_completed':
        trial.state = 'completed';
        trial.value = event.value;
        return;
      case 'trial_pruned':
        trial.state = 'pruned';
        return;
      case 'trial_failed':
        trial.state = 'failed';
        trial.error = event.error;
        return;
    }
  }
}
