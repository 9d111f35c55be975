/**
 * What the inference benchmarks share: a free loopback port, and a model trained in this process
 * with the real trainer (validation through `DatasetService`, then `runJob`), so a bench measures
 * serving, not the HTTP path of training.
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { DatasetService } from '@trainyard/datasets';
import { selectBackend } from '@trainyard/ml';
import {
  type CreateDataset,
  type CreateJob,
  JobEventLog,
  keys,
  newId,
  type Runtime,
  resolveJobSpec,
} from '@trainyard/shared';
import { runJob } from '@trainyard/train';

/** A port nothing listens on at the moment of asking, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * Validates `file` as a dataset of `create` and trains `request` on it with the real trainer on
 * the configured backend. Returns the published model's id; throws when the job publishes none.
 */
export async function trainInProcess(
  runtime: Runtime,
  create: CreateDataset,
  file: Uint8Array | string,
  request: Omit<CreateJob, 'dataset'>,
): Promise<string> {
  const datasets = new DatasetService({
    storage: runtime.storage,
    logger: runtime.logger,
    uploadMaxBytes: 64 << 20,
  });
  const { dataset } = await datasets.create(create);
  await datasets.uploadThroughApi(dataset.id, new Blob([file]).stream());
  const ready = await datasets.complete(dataset.id);
  const jobId = newId('ftjob');
  const spec = resolveJobSpec(jobId, { dataset: ready.id, ...request }, ready);
  await runtime.storage.putJson(keys.jobSpec(jobId), spec);
  const { backend } = await selectBackend({ preference: runtime.config.backend });
  const model = await runJob({
    spec,
    storage: runtime.storage,
    events: new JobEventLog(runtime.storage, 'bench'),
    logger: runtime.logger,
    backend,
    attempt: 1,
    stopping: () => false,
  });
  if (!model) throw new Error('the job published no model');
  return model;
}
