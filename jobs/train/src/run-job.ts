import {
  appendValidation,
  DataError,
  loadRawDataset,
  type RawDataset,
  splitIndices,
} from '@trainyard/ml';
import { keys, modelIdForJob, modelManifestSchema } from '@trainyard/shared';
import { type BaseModel, loadBaseModel } from './base-model';
import { CheckpointStore } from './checkpoints';
import { type JobContext, JobFailure } from './context';
import { publishModel } from './publish';
import { type Split, trainOnce } from './train-once';
import { runTuning } from './tuning';

async function loadData(ctx: JobContext): Promise<{ raw: RawDataset; split: Split }> {
  const { spec, storage } = ctx;
  let raw = await loadRawDataset(storage, spec.dataset, spec.task);
  const classification = spec.task !== 'tabular_regression';
  if (spec.validation_dataset) {
    const other = await loadRawDataset(storage, spec.validation_dataset, spec.task);
    try {
      const merged = appendValidation(raw, other);
      raw = merged.raw;
      const trainCount = raw.labels.length - merged.validation.length;
      const order = splitIndices(
        raw.labels.subarray(0, trainCount),
        0,
        spec.seed,
        classification,
      ).train;
      return { raw, split: { train: order, validation: merged.validation } };
    } catch (error) {
      // Only the merge's own verdict on the two datasets is about validation_dataset.
      if (!(error instanceof DataError)) throw error;
      throw new JobFailure('invalid_validation_dataset', error.message, 'validation_dataset');
    }
  }
  return { raw, split: splitIndices(raw.labels, spec.validation_split, spec.seed, classification) };
}

/**
 * One attempt at a job: load the data and the base, train (or tune), publish the model. Returns
 * the model id, or `undefined` for a parallel tuning worker that is not the lead (its trials are
 * in S3; the lead publishes). `JobFailure`s propagate for `main` to report.
 */
export async function runJob(ctx: JobContext): Promise<string | undefined> {
  const { spec, storage, events } = ctx;
  const started = Date.now();
  const modelId = modelIdForJob(spec.id);
  if (await storage.tryGetJson(keys.modelManifest(modelId), modelManifestSchema)) {
    // An earlier attempt published and died before saying so.
    return modelId;
  }
  const { raw, split } = await loadData(ctx);
  await events.append(spec.id, {
    type: 'data.loaded',
    message: `${split.train.length} training and ${split.validation.length} validation examples`,
    data: { train: split.train.length, validation: split.validation.length },
  });
  let base: BaseModel | undefined;
  if (spec.base_model) base = await loadBaseModel(storage, spec.base_model);
  const store = new CheckpointStore(storage, spec.id);
  const result = spec.tuning
    ? await runTuning(ctx, raw, split, base, store)
    : { trained: await trainOnce(ctx, spec, raw, split, base, store, null), trial: null, spec };
  if (!result) return undefined;
  const { id } = await publishModel(ctx, result.trained, split, {
    trial: result.trial,
    started,
    spec: result.spec,
  });
  return id;
}
