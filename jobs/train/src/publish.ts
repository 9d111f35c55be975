import {
  evaluate,
  examplePredictions,
  exampleReference,
  modelMetrics,
  type RawDataset,
  saveModel,
} from '@trainyard/ml';
import {
  type ExamplePrediction,
  type JobSpec,
  keys,
  type ModelCard,
  type ModelManifest,
  type ModelMetrics,
  modelFolderFiles,
  modelIdForJob,
  modelManifestSchema,
  modelPredictionsPath,
  projectOf,
  unixSeconds,
} from '@trainyard/shared';
import type { JobContext } from './context';
import type { RefitInfo } from './refit';
import type { Split, TrainedModel } from './train-once';

/**
 * Publishes a model: the TensorFlow.js files, `preprocess.json`, `metrics.json` (measured on the
 * validation split, and on the dataset's test split as `test` when it has one), each evaluated
 * example's prediction (`predictions/<split>.jsonl`, with its reference in the upload when `raw`
 * is given), `card.json`, and last the manifest that makes it visible. A crash before the
 * manifest leaves no model; the id comes from the job's, so a retry overwrites, never duplicates.
 * With `info.refit`, `trained` is the model trained again on training + validation: the validation
 * metrics and predictions are `refit.validationModel`'s (trained without them), the test split's
 * and the published files `trained`'s, and the card says so in `refit`.
 */
export async function publishModel(
  ctx: JobContext,
  trained: TrainedModel,
  split: Split,
  info: {
    trial: number | null;
    started: number;
    spec: JobSpec;
    raw?: RawDataset;
    refit?: RefitInfo & { validationModel: TrainedModel };
  },
): Promise<{ id: string; manifest: ModelManifest }> {
  const { spec, storage } = ctx;
  const id = modelIdForJob(spec.id);
  const existing = await storage.tryGetJson(keys.modelManifest(id), modelManifestSchema);
  if (existing) return { id, manifest: existing };

  const predictions: Array<[ModelMetrics['split'], ExamplePrediction[]]> = [];
  const measure = (indices: number[], name: ModelMetrics['split'], by = trained) => {
    const evaluation = evaluate(by.model, by.data, indices);
    const truth = Array.from(indices, (i) => trained.data.labels[i]!);
    const { raw } = info;
    const references = indices.map((i) => (raw ? exampleReference(raw, i) : null));
    predictions.push([name, examplePredictions(evaluation, truth, by.preprocess, references)]);
    return { ...modelMetrics(evaluation, truth, by.preprocess), split: name };
  };
  const metrics: ModelMetrics = split.validation.length
    ? measure(split.validation, 'validation', info.refit?.validationModel)
    : measure(split.train, 'train');
  if (split.test?.length) metrics.test = measure(split.test, 'test');
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
    ...(info.refit
      ? {
          refit: {
            examples: info.refit.examples,
            epochs: info.refit.epochs,
            fine_tune_epochs: info.refit.fine_tune_epochs,
          },
        }
      : {}),
  };
  const files = await saveModel(trained.model, storage, keys.model(id));
  for (const [name, rows] of predictions) {
    const body = rows.map((row) => `${JSON.stringify(row)}\n`).join('');
    await storage.putBytes(keys.modelPredictions(id, name), body, 'application/x-ndjson');
    files.push({ path: modelPredictionsPath(name), bytes: Buffer.byteLength(body) });
  }
  for (const [path, value] of [
    [modelFolderFiles.preprocess, trained.preprocess],
    ['metrics.json', metrics],
    ['card.json', card],
  ] as const) {
    const json = JSON.stringify(value);
    await storage.putBytes(keys.modelFile(id, path), json, 'application/json');
    files.push({ path, bytes: Buffer.byteLength(json) });
  }
  const manifest: ModelManifest = {
    id,
    object: 'model',
    project: projectOf(spec),
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
