import {
  type CreateJob,
  type Dataset,
  type JobSpec,
  type JobStore,
  keys,
  newId,
  resolveJobSpec,
} from '@trainyard/shared';

/** A ready tabular dataset as `resolveJobSpec` needs one (tests of queues need no real data). */
const dataset: Dataset = {
  id: 'ds_0test',
  object: 'dataset',
  name: 'iris',
  task: 'tabular_classification',
  format: 'csv',
  label_column: 'species',
  status: 'ready',
  created_at: 0,
  updated_at: 0,
  file: null,
  report: { errors: [], warnings: [], stats: { examples: 150, bytes: 1 } },
};

/** Stores a job the way the API does, for tests of queues; `model_name` steers the fixture. */
export async function storeTestJob(
  store: JobStore,
  request: Partial<CreateJob> = {},
  webhookSecret?: string,
): Promise<JobSpec> {
  const spec = resolveJobSpec(newId('ftjob'), { dataset: dataset.id, ...request }, dataset);
  await store.create(spec, webhookSecret);
  return spec;
}

/**
 * The key whose existence lets a contract-fixture job held with `hold=<epoch>` go on past that
 * epoch (test/fixtures/contract-trainer.ts): `jobs/<id>/fixture-release.json`; any body will do.
 */
export function fixtureRelease(jobId: string): string {
  return `${keys.job(jobId)}fixture-release.json`;
}
