import type { JobSpec, NewJobEvent } from '@trainyard/shared';
import type { Direction, StudyEvent, TrialRecord } from '@trainyard/tuning';

type Tuning = NonNullable<JobSpec['tuning']>;

/** Who wrote a `trial.*` event: the attempt (1-based) and the worker's name (`w<index>…`). */
export interface TrialWriter {
  readonly attempt: number;
  readonly worker: string;
}

/** How a study reads in the job's log: its objective and its pruner's name. */
export interface StudyTerms {
  readonly metric: Tuning['objective']['metric'];
  readonly direction: Direction;
  readonly pruner: Tuning['early_stopping'];
}

/**
 * The `trial.*` event that records one study event: `trial_started` → `trial.started`, and so
 * on, its data the study event's fields and the writer.
 */
export function trialEvent(event: StudyEvent, writer: TrialWriter, terms: StudyTerms): NewJobEvent {
  const who = { attempt: writer.attempt, worker: writer.worker };
  const { metric } = terms;
  switch (event.type) {
    case 'trial_started':
      return {
        type: 'trial.started',
        message: `trial ${event.number} started with ${JSON.stringify(event.params)}`,
        data: { number: event.number, params: { ...event.params }, ...who },
      };
    case 'trial_reported':
      return {
        type: 'trial.reported',
        message: `trial ${event.number} step ${event.step}: ${metric} ${event.value.toFixed(4)}`,
        data: { number: event.number, step: event.step, value: event.value, ...who },
      };
    case 'trial_completed':
      return {
        type: 'trial.completed',
        message: `trial ${event.number} completed: ${metric} ${event.value.toFixed(4)}`,
        data: { number: event.number, value: event.value, ...who },
      };
    case 'trial_pruned':
      return {
        type: 'trial.pruned',
        message: `trial ${event.number} pruned by the ${terms.pruner} pruner`,
        data: { number: event.number, ...who },
      };
    case 'trial_failed':
      return {
        type: 'trial.failed',
        level: 'warn',
        message: `trial ${event.number} failed: ${event.error}`,
        data: { number: event.number, error: event.error, ...who },
      };
  }
}

/** `study.started`: what the search is over, written once by the lead. */
export function studyStarted(tuning: Tuning, terms: StudyTerms): NewJobEvent {
  return {
    type: 'study.started',
    message: `tuning: ${tuning.strategy} search over ${Object.keys(tuning.search_space).join(', ')}, ${tuning.max_trials} trials, ${terms.direction} ${terms.metric}, pruner ${terms.pruner}`,
    data: {
      strategy: tuning.strategy,
      pruner: terms.pruner,
      metric: terms.metric,
      direction: terms.direction,
      max_trials: tuning.max_trials,
    },
  };
}

/** `tuning.cached_features`: the frozen base's features were computed once, in `seconds`. */
export function cachedFeaturesComputed(
  features: { count: number; exampleShape: readonly number[] },
  seconds: number,
  worker: string,
): NewJobEvent {
  return {
    type: 'tuning.cached_features',
    message: `the base is frozen and no augmentation is on: computed its features once (${features.count} × ${features.exampleShape.join('×')}, ${seconds.toFixed(1)} s); each trial trains only the head`,
    data: { examples: features.count, shape: [...features.exampleShape], worker },
  };
}

/** `study.best`: the winning trial, whose model is published as it is (not retrained). */
export function studyBest(winner: TrialRecord & { value: number }, terms: StudyTerms): NewJobEvent {
  return {
    type: 'study.best',
    message: `best trial ${winner.number}: ${terms.metric} ${winner.value.toFixed(4)} with ${JSON.stringify(winner.params)}; publishing its model (not retrained)`,
    data: { number: winner.number, value: winner.value, params: { ...winner.params } },
  };
}
