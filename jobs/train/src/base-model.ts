import type * as tf from '@tensorflow/tfjs';
import { builtinBaseIsCurrent, installBuiltinBase, loadModel } from '@trainyard/ml';
import {
  builtinBaseModel,
  findBaseModel,
  type InputKind,
  type JobSpec,
  keys,
  modelFolderFiles,
  type Preprocess,
  preprocessSchema,
  type Storage,
  TASK_INPUT_KIND,
} from '@trainyard/shared';
import { JobFailure } from './context';

export interface BaseModel {
  readonly model: tf.LayersModel;
  /** The preprocessing the base was trained with (platform models; imports may record one too). */
  readonly preprocess: Preprocess | undefined;
  /** What it takes in (`findBaseModel`). */
  readonly takes: InputKind | string;
}

/**
 * Loads a base model: `model_…` (any model the platform trained, once published) or `bm_…` (an
 * imported TensorFlow.js LayersModel under `base-models/<id>/`, or a built-in one, installed into
 * the store from its npm package on first use when `npm start` has not done it). Throws
 * `JobFailure` (`base_model_not_found`) when there is no such base or it has no model.json.
 */
export async function loadBaseModel(storage: Storage, id: string): Promise<BaseModel> {
  const builtin = builtinBaseModel(id);
  if (builtin && !(await builtinBaseIsCurrent(storage, builtin)))
    await installBuiltinBase(storage, id);
  const found = await findBaseModel(storage, id);
  if (!found) {
    throw new JobFailure(
      'base_model_not_found',
      `Base model ${id} does not exist or is not published`,
      'base_model',
    );
  }
  if (!(await storage.exists(keys.inFolder(found.folder, modelFolderFiles.modelJson)))) {
    throw new JobFailure(
      'base_model_not_found',
      `Base model ${id} has no model.json`,
      'base_model',
    );
  }
  const [model, preprocess] = await Promise.all([
    loadModel(storage, found.folder),
    storage.tryGetJson(keys.inFolder(found.folder, modelFolderFiles.preprocess), preprocessSchema),
  ]);
  return { model, preprocess, takes: found.takes };
}

/** Fails the job when the base model cannot take this dataset's inputs. */
export function checkBaseFits(base: BaseModel, task: JobSpec['task']): void {
  const expected = TASK_INPUT_KIND[task];
  if (base.takes !== expected) {
    throw new JobFailure(
      'base_model_mismatch',
      `Base model takes ${base.takes} inputs; a ${task} dataset needs a base that takes ${expected} inputs`,
      'base_model',
    );
  }
}
