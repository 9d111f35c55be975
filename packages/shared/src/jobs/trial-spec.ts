import type { JobSpec } from '../schemas/jobs';
import { coerceSearchValue, type ParamValue } from '../schemas/search-space';

/** The spec of one trial: the job's spec with the sampled values at their dotted paths. */
export function trialSpec(spec: JobSpec, params: Readonly<Record<string, ParamValue>>): JobSpec {
  const copy = structuredClone(spec) as unknown as Record<string, unknown>;
  for (const [path, value] of Object.entries(params)) {
    const parts = path.split('.');
    let node = copy;
    for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
    node[parts.at(-1)!] = coerceSearchValue(path, value);
  }
  return copy as unknown as JobSpec;
}
