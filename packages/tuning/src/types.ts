import type { ParamValue } from '@trainyard/shared';

/** Whether a lower or a higher objective is better. */
export type Direction = 'minimize' | 'maximize';

/** The values one trial gives the search space's paths. */
export type Params = Readonly<Record<string, ParamValue>>;

/** `running` until told otherwise; the other three are final. */
export type TrialState = 'running' | 'completed' | 'pruned' | 'failed';

/** Intermediate objective values by step (epoch), as the trial reported them. */
export type IntermediateValues = Readonly<Record<number, number>>;

/** One trial as samplers and pruners see it: plain data, so any store can hold it. */
export interface TrialRecord {
  /** 0, 1, 2, … in the order the trials were asked for. */
  readonly number: number;
  readonly state: TrialState;
  readonly params: Params;
  /** The final objective; present only when `state` is `completed`. */
  readonly value?: number;
  readonly intermediate: IntermediateValues;
  /** Why the trial failed, when it did. */
  readonly error?: string;
}

/** The reported steps of a trial in increasing order. */
export function reportedSteps(trial: TrialRecord): number[] {
  return Object.keys(trial.intermediate)
    .map(Number)
    .sort((a, b) => a - b);
}

/** `a` is strictly better than `b` in `direction`. */
export function isBetter(a: number, b: number, direction: Direction): boolean {
  return direction === 'minimize' ? a < b : a > b;
}
