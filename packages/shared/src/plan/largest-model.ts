import { trialSpec } from '../jobs/trial-spec';
import type { JobSpec } from '../schemas/jobs';
import type { ParamValue, SearchParam } from '../schemas/search-space';
import { type PlanSources, planJob } from './estimate';

/** The size `planJob` estimates for one spec: a job's model, or one trial's. */
export interface ModelSize {
  /** Every weight of the model. */
  readonly parameters: number;
  /** Bytes training needs: weights, gradients, optimizer slots and one batch's activations. */
  readonly memoryBytes: number;
  /** The search-space values of the trial this size is of; empty for a job without tuning. */
  readonly trial: Readonly<Record<string, ParamValue>>;
}

/** Search-space paths that change a model's size or its training memory (the rest do not). */
const SIZING =
  /^(architecture\.|hyperparameters\.(batch_size|optimizer)$|regularization\.dropout$)/;

/** Above this many combinations of candidate values, the largest trial is found coordinate-wise. */
const EXHAUSTIVE_LIMIT = 4096;

/**
 * The largest model a job can build, by the plan's own estimate (`planJob`): the job's model, or
 * under `tuning` the largest trial's. A trial is sized at the values that bound each sizing
 * parameter (the ends of a range, every choice): every combination when there are at most 4,096,
 * otherwise each parameter in turn at the value that makes the model largest. A trial the plan
 * cannot size (a `transfer` model, sized by its base; an architecture the task cannot build, which
 * the trainer refuses) is not counted. `undefined` when nothing can be sized. Reads nothing.
 */
export function largestModel(sources: PlanSources): ModelSize | undefined {
  const space = sources.spec.tuning?.search_space;
  if (!space) return sizeOf(sources, sources.spec, {});
  const params = Object.entries(space)
    .filter(([path]) => SIZING.test(path))
    .map(([path, param]) => ({ path, values: boundingValues(param) }));
  const combinations = params.reduce((n, p) => n * p.values.length, 1);
  if (combinations <= EXHAUSTIVE_LIMIT) {
    let largest: ModelSize | undefined;
    for (const trial of product(params)) {
      largest = larger(largest, sizeOf(sources, trialSpec(sources.spec, trial), trial));
    }
    return largest;
  }
  // Coordinate-wise: each parameter at its largest value given the ones chosen before it.
  const trial: Record<string, ParamValue> = {};
  let largest: ModelSize | undefined;
  for (const { path, values } of params) {
    let best: { value: ParamValue; size: ModelSize | undefined } | undefined;
    for (const value of values) {
      const candidate = { ...trial, [path]: value };
      const size = sizeOf(sources, trialSpec(sources.spec, candidate), candidate);
      if (!best || larger(best.size, size) !== best.size) best = { value, size };
    }
    trial[path] = best!.value;
    largest = larger(largest, best!.size);
  }
  return largest;
}

function sizeOf(
  sources: PlanSources,
  spec: JobSpec,
  trial: Record<string, ParamValue>,
): ModelSize | undefined {
  try {
    const { estimate } = planJob({ ...sources, spec });
    if (estimate.parameters === null || estimate.memory_bytes === null) return undefined;
    return { parameters: estimate.parameters, memoryBytes: estimate.memory_bytes, trial };
  } catch {
    // A trial whose architecture does not fit the task's input: the trainer fails that trial.
    return undefined;
  }
}

/** The larger by memory, then by parameters; `a` on a tie. */
function larger(a: ModelSize | undefined, b: ModelSize | undefined): ModelSize | undefined {
  if (!a) return b;
  if (!b) return a;
  if (b.memoryBytes !== a.memoryBytes) return b.memoryBytes > a.memoryBytes ? b : a;
  return b.parameters > a.parameters ? b : a;
}

/** The values that bound what a trial can get: both ends of a range, or every choice. */
function boundingValues(param: SearchParam): ParamValue[] {
  switch (param.type) {
    case 'uniform':
    case 'log_uniform':
      return [param.min, param.max];
    case 'int': {
      const step = param.step ?? 1;
      return [param.min, param.min + Math.floor((param.max - param.min) / step) * step];
    }
    case 'choice':
      return [...param.values];
  }
}

function* product(
  params: ReadonlyArray<{ path: string; values: ParamValue[] }>,
  at = 0,
  trial: Record<string, ParamValue> = {},
): Generator<Record<string, ParamValue>> {
  if (at === params.length) {
    yield { ...trial };
    return;
  }
  const { path, values } = params[at]!;
  for (const value of values) yield* product(params, at + 1, { ...trial, [path]: value });
}
