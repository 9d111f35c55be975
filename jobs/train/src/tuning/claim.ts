import { keys, type Storage } from '@trainyard/shared';

/**
 * The trial-claim protocol of parallel tuning workers. To run trial `number`, a worker writes a
 * claim object under `jobs/<id>/trials/<number>/claims/<attempt>-`, then lists that prefix: the
 * first key in order wins, and only its writer runs the trial. Keys start with the write time,
 * so an earlier claim wins. Any S3 server lists its own writes: no conditional puts are needed.
 *
 * @param attempt the 1-based attempt: claims of an earlier attempt do not count in this one.
 * @param worker this worker's name (unique per process).
 * @returns whether this worker won the trial.
 */
export async function claimTrial(
  storage: Storage,
  jobId: string,
  attempt: number,
  number: number,
  worker: string,
): Promise<boolean> {
  const prefix = keys.jobTrialClaims(jobId, number, attempt);
  const mine = keys.jobTrialClaim(jobId, number, attempt, Date.now(), worker);
  await storage.putJson(mine, { worker });
  const page = await storage.listPage(prefix, { limit: 1 });
  return page.objects[0]?.key === mine;
}
