import type { AddressInfo } from 'node:net';
import { DatasetService } from '@trainyard/datasets';
import { startInferServer } from '@trainyard/infer';
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
import { isolatedRuntime } from '@trainyard/testing';
import { runJob } from '@trainyard/train';

export type TestRuntime = Runtime & { dispose(): Promise<void> };

/** A dataset uploaded and validated by the dataset service, as `POST /v1/datasets` does it. */
export async function readyDataset(
  runtime: Runtime,
  create: CreateDataset,
  file: Uint8Array | string,
) {
  const datasets = new DatasetService({
    storage: runtime.storage,
    logger: runtime.logger,
    uploadMaxBytes: 8 << 20,
  });
  const { dataset } = await datasets.create(create);
  await datasets.uploadThroughApi(dataset.id, new Blob([file]).stream());
  return datasets.complete(dataset.id);
}

/**
 * Trains and publishes a model with the trainer's own `runJob` (what jobs/train/src/main.ts runs),
 * in this process; returns the model id and the spec it ran with.
 */
export async function trainModel(
  runtime: Runtime,
  dataset: Awaited<ReturnType<typeof readyDataset>>,
  request: Omit<CreateJob, 'dataset'>,
) {
  const { backend } = await selectBackend({ preference: runtime.config.backend });
  const jobId = newId('ftjob');
  const spec = resolveJobSpec(jobId, { dataset: dataset.id, ...request }, dataset);
  await runtime.storage.putJson(keys.jobSpec(jobId), spec);
  const modelId = await runJob({
    spec,
    storage: runtime.storage,
    events: new JobEventLog(runtime.storage, 'test'),
    logger: runtime.logger,
    backend,
    attempt: 1,
    stopping: () => false,
  });
  if (!modelId) throw new Error('the job published no model');
  return { modelId, spec };
}

export interface InferServer {
  readonly url: string;
  /** A key limited to the `infer` scope. */
  readonly key: string;
  /** POST to `/v1/models/{id}/predict` with the key. */
  predict(modelId: string, init: RequestInit & { query?: string }): Promise<Response>;
  predictJson(modelId: string, body: unknown): Promise<Response>;
  close(): Promise<void>;
}

/** The inference function over real HTTP on a free port. */
export async function startInfer(
  runtime: Runtime,
  options: Parameters<typeof startInferServer>[2] = {},
): Promise<InferServer> {
  const server = await startInferServer(runtime, 0, options);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { secret } = await runtime.apiKeys.create('app', { role: 'inference' });
  const predict = (modelId: string, { query, ...init }: RequestInit & { query?: string }) =>
    fetch(`${url}/v1/models/${modelId}/predict${query ? `?${query}` : ''}`, {
      method: 'POST',
      ...init,
      headers: { Authorization: `Bearer ${secret}`, ...init.headers },
    });
  return {
    url,
    key: secret,
    predict,
    predictJson: (modelId, body) =>
      predict(modelId, {
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export { isolatedRuntime };

/** JSON body of a response, typed loosely for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary fields
export const json = (res: Response): Promise<any> => res.json();
