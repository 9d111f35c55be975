import { JobEventLog, keys, modelIdForJob, modelMetricsSchema } from '@trainyard/shared';
import { digitPng, isolatedRuntime, makeZip, mnistDigits } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyDataset, type TestRuntime, trainModel } from '../infer/support';

// Tuning on a frozen base with no augmentation: the base's features are computed once and each
// trial trains only the head; the published model is the base with the best trial's head.

let runtime: TestRuntime;
beforeAll(async () => {
  runtime = await isolatedRuntime('ty-cached');
});
afterAll(() => runtime.dispose());

async function digitsZip(digits: number[], perDigit: number, offset = 0) {
  const items = mnistDigits(digits, perDigit, offset);
  return makeZip(
    await Promise.all(
      items.map(async (d, i) => ({ name: `${d.label}/${i}.png`, data: await digitPng(d) })),
    ),
  );
}

describe('tuning on cached base features', () => {
  it('computes the frozen base once, trains heads only, and publishes base + best head', async () => {
    const images = { task: 'image_classification', format: 'image_folder_zip' } as const;
    const baseData = await readyDataset(
      runtime,
      { name: 'base', ...images },
      await digitsZip([0, 1, 2, 3, 4], 20),
    );
    const { modelId: baseId } = await trainModel(runtime, baseData, {
      architecture: { type: 'cnn', filters: [8, 16], head: { units: [16] }, input_size: [16, 16] },
      hyperparameters: { epochs: 2, early_stopping: null },
    });

    const target = await readyDataset(
      runtime,
      { name: 'target', ...images },
      await digitsZip([5, 6, 7, 8, 9], 12, 100),
    );
    const { modelId, spec } = await trainModel(runtime, target, {
      base_model: baseId,
      hyperparameters: { epochs: 3, early_stopping: null },
      tuning: {
        strategy: 'random',
        objective: { metric: 'val_accuracy', goal: 'maximize' },
        max_trials: 2,
        max_parallel_trials: 1,
        early_stopping: 'none',
        search_space: {
          'hyperparameters.learning_rate': { type: 'log_uniform', min: 0.001, max: 0.01 },
        },
      },
    });
    expect(modelId).toBe(modelIdForJob(spec.id));

    const events = await new JobEventLog(runtime.storage, 'test').list(spec.id);
    expect(events.filter((e) => e.type === 'tuning.cached_features')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'trial.completed')).toHaveLength(2);
    // No full-model checkpoints: the base never ran in a training step.
    expect(events.filter((e) => e.type === 'checkpoint.saved')).toHaveLength(0);

    // The published model (base + best head), evaluated by the publisher on the validation split,
    // scores what the best trial's head scored on the cached features in its last epoch.
    const best = events.find((e) => e.type === 'study.best')!.data!.number as number;
    const last = events
      .filter((e) => e.type === 'epoch.completed' && e.data!.trial === best)
      .at(-1)!;
    const metrics = await runtime.storage.getJson(
      keys.modelFile(modelId, 'metrics.json'),
      modelMetricsSchema,
    );
    expect(metrics.accuracy).toBeCloseTo(last.data!.val_accuracy as number, 5);
  }, 240_000);
});
