import {
  appendValidation,
  DataError,
  loadRawDataset,
  type RawDataset,
  splitIndices,
  splitWithFolders,
} from '@trainyard/ml';
import { keys, modelIdForJob, modelManifestSchema } from '@trainyard/shared';
import { type BaseModel, loadBaseModel } from './base-model';
import { CheckpointStore } from './checkpoints';
import { type JobContext, JobFailure } from './context';
import { assertInJobProject } from './project-scope';
import { publishModel } from './publish';
import { refitOnAll } from './refit';
import { type Split, trainOnce } from './train-once';
import { runTuning } from './tuning';

async function loadData(ctx: JobContext): Promise<{ raw: RawDataset; split: Split }> {
  const { spec, storage } = ctx;
  let raw = await loadRawDataset(storage, spec.dataset, spec.task);
  const classification = spec.task !== 'tabular_regression';
  // Split folders of an image zip: `test/` is always held out; `val/` is the validation set
  // when the spec says `dataset_split` (the default for such datasets, see resolveJobSpec).
  const folders = raw.kind === 'images' ? raw.splits : undefined;
  if (spec.validation_dataset) {
    const other = await loadRawDataset(storage, spec.validation_dataset, spec.task);
    try {
      const merged = appendValidation(raw, other);
      raw = merged.raw;
      const trainCount = raw.labels.length - merged.validation.length;
      const own = splitWithFolders(raw.labels.subarray(0, trainCount), folders, {
        fraction: 0,
        seed: spec.seed,
        stratified: classification,
        folderValidation: false,
      });
      return { raw, split: { train: own.train, validation: merged.validation, test: own.test } };
    } catch (error) {
      // Only the merge's own verdict on the two datasets is about validation_dataset.
      if (!(error instanceof DataError)) throw error;
      throw new JobFailure('invalid_validation_dataset', error.message, 'validation_dataset');
    }
  }
  if (!folders) {
    return {
      raw,
      split: splitIndices(raw.labels, spec.validation_split, spec.seed, classification),
    };
  }
  return {
    raw,
    split: splitWithFolders(raw.labels, folders, {
      fraction: spec.validation_split,
      seed: spec.seed,
      stratified: classification,
      folderValidation: spec.validation_source === 'dataset_split',
    }),
  };
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
  await assertInJobProject(storage, spec);
  const { raw, split } = await loadData(ctx);
  const test = split.test?.length ?? 0;
  await events.append(spec.id, {
    type: 'data.loaded',
    message: `${split.train.length} training and ${split.validation.length} validation examples${test ? `, ${test} held-out test examples` : ''}${spec.validation_source === 'dataset_split' ? " (validation: the dataset's validation folder)" : ''}`,
    data: {
      train: split.train.length,
      validation: split.validation.length,
      ...(split.test ? { test } : {}),
      ...(spec.validation_source ? { validation_source: spec.validation_source } : {}),
    },
  });
  let base: BaseModel | undefined;
  if (spec.base_model) base = await loadBaseModel(storage, spec.base_model);
  const store = new CheckpointStore(storage, spec.id);
  const result = spec.tuning
    ? await runTuning(ctx, raw, split, base, store)
    : { trained: await trainOnce(ctx, spec, raw, split, base, store, null), trial: null, spec };
  if (!result) return undefined;
  const refit =
    spec.hyperparameters.refit && !spec.tuning && split.validation.length > 0
      ? await refitOnAll(ctx, spec, raw, split, base, store, result.trained)
      : undefined;
  const { id } = await publishModel(ctx, refit?.trained ?? result.trained, split, {
    trial: result.trial,
    started,
    spec: result.spec,
    raw,
    ...(refit ? { refit: { ...refit.info, validationModel: result.trained } } : {}),
  });
  return id;
}
