import { evaluate, modelMetrics, saveModel } from '@trainyard/ml';
import {
  type JobSpec,
  keys,
  type ModelCard,
  type ModelManifest,
  type ModelMetrics,
  modelIdForJob,
  modelManifestSchema,
  unixSeconds,
} from '@trainyard/shared';
import type { JobContext } from './context';
import type { Split, TrainedModel } from './train-once';

/**
 * Publishes a model: the TensorFlow.js files, `preprocess.json`, `metrics.json` (measured on the
 * validation split, and on the dataset's test split as `test` when it has one), `card.json`, and last the manifest that makes it visible. A crash before the
 * manifest leaves no model; the id comes from the job's, so a retry overwrites, never duplicates.
 */
export async function publishModel(
  ctx: JobContext,
  trained: TrainedModel,
  split: Split,
  info: { trial: number | null; started: number; spec: JobSpec },
): Promise<{ id: string; manifest: ModelManifest }> {
  const { spec, storage } = ctx;
  const id = modelIdForJob(spec.id);
  const existing = await storage.tryGetJson(keys.modelManifest(id), modelManifestSchema);
  if (existing) return { id, manifest: existing };

  const measure = (indices: number[]) =>
    modelMetrics(
      evaluate(trained.model, trained.data, indices),
      Array.from(indices, (i) => trained.data.labels[i]!),
      trained.preprocess,
    );
  const metrics: ModelMetrics = measure(split.validation.length ? split.validation : split.train);
  if (!split.validation.length) metrics.split = 'train';
  if (split.test?.length) metrics.test = { ...measure(split.test), split: 'test' };
  const card: ModelCard = {
    job: spec.id,
    dataset: spec.dataset,
    base_model: spec.base_model,
    // The values the model was trained with: a tuning job records its best trial's.
    spec: info.spec,
    trial: info.trial,
    backend: ctx.backend,
    epochs_run: trained.epochsRun,
    duration_seconds: Math.round((Date.now() - info.started) / 100) / 10,
    parameters: trained.model.countParams(),
  };
  const prefix = keys.model(id);
  const files = await saveModel(trained.model, storage, prefix);
  for (const [path, value] of [
    ['preprocess.json', trained.preprocess],
    ['metrics.json', metrics],
    ['card.json', card],
  ] as const) {
    const json = JSON.stringify(value);
    await storage.putBytes(`${prefix}${path}`, json, 'application/json');
    files.push({ path, bytes: Buffer.byteLength(json) });
  }
  const manifest: ModelManifest = {
    id,
    object: 'model',
    name: spec.model_name,
    task: spec.task,
    created_at: unixSeconds(),
    job: spec.id,
    dataset: spec.dataset,
    base_model: spec.base_model,
    format: 'tfjs-layers',
    files,
  };
  await storage.putJson(keys.modelManifest(id), manifest);
  return { id, manifest };
}
