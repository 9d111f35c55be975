import {
  findBaseModel,
  inProject,
  type JobSpec,
  keys,
  projectOf,
  type Storage,
} from '@trainyard/shared';
import { z } from 'zod';
import { JobFailure } from './context';

const ownedSchema = z.object({ project: z.string().nullable().optional() }).loose();

/**
 * The trainer reads only what belongs to the job's project: its dataset, its validation dataset
 * and its base model (a platform model or an imported base; the built-in bases are every
 * project's). The API checks this at creation (404); this check holds for a spec written any
 * other way. Throws a `JobFailure` (`dataset_not_found`, `base_model_not_found`) naming the field.
 */
export async function assertInJobProject(storage: Storage, spec: JobSpec): Promise<void> {
  const project = projectOf(spec);
  for (const [param, id] of [
    ['dataset', spec.dataset],
    ['validation_dataset', spec.validation_dataset],
  ] as const) {
    if (!id) continue;
    const meta = await storage.tryGetJson(keys.datasetMeta(id), ownedSchema);
    if (!meta || !inProject(meta, project)) {
      throw new JobFailure('dataset_not_found', `No dataset ${id} in project ${project}`, param);
    }
  }
  const base = spec.base_model;
  if (!base || base === 'none') return;
  if (!(await findBaseModel(storage, base, project))) {
    throw new JobFailure(
      'base_model_not_found',
      `No base model ${base} in project ${project}`,
      'base_model',
    );
  }
}
