import {
  encodeDataset,
  evaluate,
  loadModel,
  loadRawDataset,
  type RawDataset,
  splitIndices,
} from '@trainyard/ml';
import {
  type JobSpec,
  keys,
  type Preprocess,
  preprocessSchema,
  type Runtime,
} from '@trainyard/shared';

/**
 * The trainer's evaluation path on a published model: the dataset's normalized shards encoded by
 * `encodeDataset` with the model's `preprocess.json`, through `evaluate`, on the job's own
 * validation split (examples the model never trained on).
 */
export async function trainerOutputs(runtime: Runtime, modelId: string, spec: JobSpec) {
  const { storage } = runtime;
  const raw = await loadRawDataset(storage, spec.dataset, spec.task);
  const pre: Preprocess = await storage.getJson(
    keys.modelFile(modelId, 'preprocess.json'),
    preprocessSchema,
  );
  const model = await loadModel(storage, keys.model(modelId));
  const classification = spec.task !== 'tabular_regression';
  const { validation } = splitIndices(raw.labels, spec.validation_split, spec.seed, classification);
  const data = await encodeDataset(raw, pre);
  const { outputs } = evaluate(model, data, validation);
  model.dispose();
  return { raw, pre, validation, outputs };
}

/** Row `i` of a table dataset as a client would send it: feature columns by name. */
export function rowObject(raw: RawDataset & { kind: 'table' }, i: number) {
  const row: Record<string, unknown> = {};
  for (const [k, column] of raw.manifest.columns.entries()) {
    if (column.name !== raw.manifest.label_column && column.type !== 'empty')
      row[column.name] = raw.rows[i]![k];
  }
  return row;
}

/** The largest absolute difference between the endpoint's scores and the trainer's outputs. */
export function maxScoreDifference(
  pre: Preprocess,
  predictions: Array<Array<{ label: string; score: number }>>,
  outputs: Float32Array[],
): number {
  let worst = 0;
  for (const [i, prediction] of predictions.entries()) {
    for (const { label, score } of prediction) {
      worst = Math.max(worst, Math.abs(score - outputs[i]![pre.labels!.indexOf(label)]!));
    }
  }
  return worst;
}
