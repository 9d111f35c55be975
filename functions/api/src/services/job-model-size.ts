import { type Config, largestModel, type PlanSources, UnprocessableError } from '@trainyard/shared';

const count = (n: number) => n.toLocaleString('en-US');
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

/**
 * Refuses a job whose model, by the plan's own estimate (`largestModel`: the job's model, or
 * under tuning its largest trial's), has more than `JOB_MAX_PARAMETERS` weights or needs more than
 * `JOB_MAX_MEMORY_BYTES` to train: a job that would hold a job slot (and the machine's memory)
 * before its first epoch is refused before anything is stored.
 *
 * @throws UnprocessableError (422, `model_too_large`) naming the estimate, the cap and its variable;
 *   `param` is `body.architecture`, or `body.tuning.search_space` when a trial is the largest.
 */
export function checkModelSize(sources: PlanSources, limits: Config['jobs']): void {
  const size = largestModel(sources);
  if (!size) return;
  const { maxParameters, maxMemoryBytes } = limits;
  if (size.parameters <= maxParameters && size.memoryBytes <= maxMemoryBytes) return;
  const values = Object.entries(size.trial);
  const what =
    values.length > 0
      ? `The largest trial of the search space (${values.map(([path, v]) => `${path} = ${JSON.stringify(v)}`).join(', ')})`
      : 'The model';
  const over =
    size.parameters > maxParameters
      ? `a job's model may have at most ${count(maxParameters)} (JOB_MAX_PARAMETERS)`
      : `training may need at most ${count(maxMemoryBytes)} bytes (${gib(maxMemoryBytes)}, JOB_MAX_MEMORY_BYTES)`;
  throw new UnprocessableError(
    `${what} would have ${count(size.parameters)} parameters and need ${count(size.memoryBytes)} bytes (${gib(size.memoryBytes)}) to train, by the plan's estimate; ${over}: use fewer or smaller layers, a smaller input or batch, or ask the operator to raise the cap`,
    {
      param: values.length > 0 ? 'body.tuning.search_space' : 'body.architecture',
      code: 'model_too_large',
    },
  );
}
