/**
 * What the inference benchmarks share: a free loopback port, a model trained in this process
 * with the real trainer (validation through `DatasetService`, then `runJob`), so a bench measures
 * serving, not the HTTP path of training, and the two models both benches serve (`benchModels`).
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { DatasetService } from '@trainyard/datasets';
import { selectBackend } from '@trainyard/ml';
import type { PredictInputs } from '@trainyard/predict';
import {
  type CreateDataset,
  type CreateJob,
  JobEventLog,
  keys,
  newId,
  type Runtime,
  resolveJobSpec,
} from '@trainyard/shared';
import { digitPng, iris, makeZip, mnistDigits, toCsv } from '@trainyard/testing';
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

/** A trained model and one request to predict with it. */
export interface BenchModel {
  /** `image` or `tabular`, as `--models` names it. */
  readonly kind: 'image' | 'tabular';
  /** What one request carries, for tables. */
  readonly name: string;
  readonly modelId: string;
  /** The request's headers, without the key. */
  readonly headers: Record<string, string>;
  readonly body: Buffer | string;
  /** The same input for `Predictor.predict` in process. */
  readonly inputs: PredictInputs;
}

/**
 * Trains the benches' models with the real trainer: `image`, a small CNN (filters 16, 32) on 300
 * real MNIST digits at 28×28, 2 epochs, asked with one PNG as a raw body; `tabular`, an MLP on
 * iris, 30 epochs, asked with one row as JSON. Where the model's work dominates a request (the
 * CNN: several ms) and where the HTTP exchange costs as much as the prediction (one iris row).
 */
export async function benchModels(
  runtime: Runtime,
  kinds: ReadonlyArray<BenchModel['kind']> = ['image', 'tabular'],
): Promise<BenchModel[]> {
  const models: BenchModel[] = [];
  if (kinds.includes('image')) {
    const digits = mnistDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 30);
    const pngs = await Promise.all(digits.map(digitPng));
    const zip = makeZip(digits.map((d, i) => ({ name: `d/${d.label}/${i}.png`, data: pngs[i]! })));
    const modelId = await trainInProcess(
      runtime,
      { name: 'digits', task: 'image_classification', format: 'image_folder_zip' },
      zip,
      {
        architecture: { type: 'cnn', input_size: [28, 28], filters: [16, 32] },
        hyperparameters: { epochs: 2, batch_size: 32, early_stopping: null },
      },
    );
    models.push({
      kind: 'image',
      name: 'image CNN (1 PNG, raw body)',
      modelId,
      headers: { 'content-type': 'image/png' },
      body: Buffer.from(pngs[0]!),
      inputs: { form: 'images', images: [{ bytes: pngs[0]!, param: 'body' }] },
    });
  }
  if (kinds.includes('tabular')) {
    const { header, rows } = iris();
    const modelId = await trainInProcess(
      runtime,
      { name: 'iris', task: 'tabular_classification', format: 'csv', label_column: 'species' },
      toCsv(header, rows),
      { hyperparameters: { epochs: 30, early_stopping: null } },
    );
    const row = Object.fromEntries(header.slice(0, 4).map((h, i) => [h, rows[0]![i]]));
    models.push({
      kind: 'tabular',
      name: 'tabular MLP (1 iris row, JSON)',
      modelId,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [row] }),
      inputs: { form: 'json', inputs: [row] },
    });
  }
  return models;
}
