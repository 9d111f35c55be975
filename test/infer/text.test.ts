import type { JobSpec } from '@trainyard/shared';
import { spamAndHam } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxScoreDifference, trainerOutputs } from './parity';
import {
  type InferServer,
  isolatedRuntime,
  json,
  readyDataset,
  startInfer,
  type TestRuntime,
  trainModel,
} from './support';

// Real SpamAssassin mails; a GRU and an attention model (custom layers) trained once each.

let runtime: TestRuntime;
let infer: InferServer;
const models: Record<'gru' | 'attention', { modelId: string; spec: JobSpec }> = {} as never;
const mails = spamAndHam(40);

beforeAll(async () => {
  runtime = await isolatedRuntime('ty-infer-txt');
  const dataset = await readyDataset(
    runtime,
    { name: 'spam', task: 'text_classification', format: 'jsonl' },
    mails.map((m) => JSON.stringify(m)).join('\n'),
  );
  const common = { vocab_size: 400, max_length: 48, embedding_dim: 16 };
  const hyperparameters = { epochs: 2, batch_size: 16, early_stopping: null };
  models.gru = await trainModel(runtime, dataset, {
    architecture: { type: 'gru', rnn_units: 8, ...common },
    hyperparameters,
  });
  models.attention = await trainModel(runtime, dataset, {
    architecture: { type: 'attention', num_heads: 2, num_layers: 1, ...common },
    hyperparameters,
  });
  infer = await startInfer(runtime);
}, 90_000);
afterAll(async () => {
  await infer?.close();
  await runtime?.dispose();
});

describe('text classification', () => {
  for (const kind of ['gru', 'attention'] as const) {
    it(`${kind}: gives the trainer’s evaluation probabilities on the held-out split (parity)`, async () => {
      const { modelId, spec } = models[kind];
      const { pre, validation, outputs } = await trainerOutputs(runtime, modelId, spec);
      expect(validation.length).toBeGreaterThanOrEqual(10);
      const res = await infer.predictJson(modelId, {
        inputs: validation.map((i) => mails[i]!.text),
        top_k: 2,
      });
      expect(res.status).toBe(200);
      const { predictions } = await json(res);
      expect(predictions).toHaveLength(validation.length);
      expect(predictions[0].map((p: { label: string }) => p.label).sort()).toEqual(['ham', 'spam']);
      expect(maxScoreDifference(pre, predictions, outputs)).toBeLessThan(1e-5);
    });
  }

  it('answers 400 for empty or non-string texts, naming the expected input, and keeps serving', async () => {
    const id = models.gru.modelId;
    const cases: Array<[unknown, string]> = [
      [{ inputs: [''] }, 'inputs[0]: received an empty text'],
      [{ inputs: ['fine', '  \n '] }, 'inputs[1]: received an empty text'],
      [{ inputs: [42] }, 'inputs[0]: received number 42'],
      [{ inputs: [{ text: 'hi' }] }, 'inputs[0]: received an object'],
    ];
    for (const [body, message] of cases) {
      const res = await infer.predictJson(id, body);
      expect(res.status).toBe(400);
      const { error } = await json(res);
      expect(error.message).toContain(message);
      expect(error.message).toContain('this model expects a non-empty string of text');
    }
    const image = await infer.predict(id, {
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array(8),
    });
    expect(image.status).toBe(400);
    const ok = await infer.predictJson(id, {
      inputs: ['Free money!!! Click now to claim your prize'],
    });
    expect(ok.status).toBe(200);
  });
});
