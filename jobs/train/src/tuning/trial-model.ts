import type * as tf from '@tensorflow/tfjs';
import { encodeDataset, loadModel, type RawDataset, saveModel } from '@trainyard/ml';
import {
  keys,
  modelFolderFiles,
  type Preprocess,
  preprocessSchema,
  type Storage,
} from '@trainyard/shared';
import type { TrainedModel } from '../train-once';

/** Keeps a completed trial's model in S3, so the lead can publish it whichever worker ran it. */
export async function saveTrialModel(
  storage: Storage,
  jobId: string,
  trial: number,
  trained: TrainedModel,
): Promise<void> {
  const prefix = keys.jobTrialModel(jobId, trial);
  await saveModel(trained.model, storage, prefix);
  await storage.putJson(keys.inFolder(prefix, modelFolderFiles.preprocess), trained.preprocess);
}

/**
 * A trial's model as `saveTrialModel` kept it, with `raw` encoded by its preprocessing (no
 * history: it ran elsewhere). Throws `NotFoundError` when the trial kept no model.
 */
export async function loadTrialModel(
  storage: Storage,
  jobId: string,
  trial: number,
  raw: RawDataset,
): Promise<TrainedModel> {
  const prefix = keys.jobTrialModel(jobId, trial);
  const model: tf.LayersModel = await loadModel(storage, prefix);
  const preprocess: Preprocess = await storage.getJson(
    keys.inFolder(prefix, modelFolderFiles.preprocess),
    preprocessSchema,
  );
  const data = await encodeDataset(raw, preprocess);
  return { model, preprocess, data, history: [], epochsRun: 0 };
}
