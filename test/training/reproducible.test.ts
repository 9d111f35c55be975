import { loadModel, selectBackend } from '@trainyard/ml';
import { keys } from '@trainyard/shared';
import { digitPng, isolatedRuntime, makeZip, mnistDigits, spamAndHam } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readyDataset, type TestRuntime, trainModel } from '../infer/support';

// Two runs of one job (same dataset, spec and seed, same backend and threads) through the real
// trainer give the same model and the same metrics: the weight initialization, the validation
// split, the batch order and the dropout masks all come from the job's seed, and nothing else the
// process does in between (S3 requests, event writes) draws from those streams.

let runtime: TestRuntime;
beforeAll(async () => {
  runtime = await isolatedRuntime('ty-repro');
  await selectBackend({ preference: runtime.config.backend });
});
afterAll(() => runtime.dispose());

async function weightsOf(modelId: string): Promise<number[][]> {
  const model = await loadModel(runtime.storage, keys.model(modelId));
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  model.dispose();
  return weights;
}

type Request = Parameters<typeof trainModel>[2];
type ReadyDataset = Awaited<ReturnType<typeof readyDataset>>;

/** Trains `request` on `dataset` with the real trainer; returns the model's metrics and weights. */
async function run(dataset: ReadyDataset, request: Request) {
  const { modelId } = await trainModel(runtime, dataset, request);
  const metrics = await runtime.storage.getJson(
    keys.modelFile(modelId, 'metrics.json'),
    z.unknown(),
  );
  return { metrics, weights: await weightsOf(modelId) };
}

/** Two runs of `request` on `dataset`. */
async function twice(dataset: ReadyDataset, request: Request) {
  return [await run(dataset, request), await run(dataset, request)];
}

describe('reproducible jobs', () => {
  it('a CNN with batch norm, dropout and augmentation: two runs with seed 1 are identical', async () => {
    const items = mnistDigits([0, 1, 2], 12);
    const zip = makeZip(
      await Promise.all(
        items.map(async (d, i) => ({ name: `${d.label}/${i}.png`, data: await digitPng(d) })),
      ),
    );
    const dataset = await readyDataset(
      runtime,
      { name: 'digits', task: 'image_classification', format: 'image_folder_zip' },
      zip,
    );
    const [a, b] = await twice(dataset, {
      seed: 1,
      architecture: { type: 'cnn', filters: [4, 8], input_size: [16, 16] },
      regularization: { dropout: 0.3 },
      augmentation: { rotation_degrees: 10, translate: 0.1, flip_horizontal: true },
      hyperparameters: { epochs: 2, batch_size: 8 },
    });
    expect(b!.metrics).toEqual(a!.metrics);
    expect(b!.weights).toEqual(a!.weights);
  }, 120_000);

  it('a bag of embeddings with dropout: two runs with seed 1 are identical, whatever else draws from Math.random', async () => {
    const messages = spamAndHam(60);
    const dataset = await readyDataset(
      runtime,
      { name: 'spam', task: 'text_classification', format: 'jsonl' },
      messages.map((m) => `${JSON.stringify(m)}\n`).join(''),
    );
    // Dropout and a random validation split: every random draw a job makes is in play.
    const request = {
      seed: 1,
      architecture: { type: 'bag_of_embeddings' as const, embedding_dim: 16 },
      regularization: { dropout: 0.3 },
      hyperparameters: { epochs: 3, batch_size: 16 },
    };
    // The first run shares the process with something else drawing from Math.random all along
    // (as the AWS SDK's retry jitter does): the job's own draws must not shift.
    const foreign = setInterval(() => Math.random(), 1);
    const runs = [];
    try {
      runs.push(await run(dataset, request));
    } finally {
      clearInterval(foreign);
    }
    runs.push(await run(dataset, request));
    expect(runs[1]!.metrics).toEqual(runs[0]!.metrics);
    expect(runs[1]!.weights).toEqual(runs[0]!.weights);

    // A different seed gives a different model: the test can tell runs apart.
    const { modelId } = await trainModel(runtime, dataset, { ...request, seed: 2 });
    expect(await weightsOf(modelId)).not.toEqual(runs[0]!.weights);
  }, 120_000);
});
