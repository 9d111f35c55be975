import type * as tf from '@tensorflow/tfjs';
import { installBuiltinBase, loadModel } from '@trainyard/ml';
import {
  builtinBaseModel,
  keys,
  modelFolderFiles,
  modelManifestSchema,
  type Preprocess,
  preprocessSchema,
  type Storage,
} from '@trainyard/shared';
import { JobFailure } from './context';

export interface BaseModel {
  readonly model: tf.LayersModel;
  /** The preprocessing the base was trained with (platform models; imports may record one too). */
  readonly preprocess: Preprocess | undefined;
}

/**
 * Loads a base model: `model_…` (any model the platform trained, once published) or `bm_…` (an
 * imported TensorFlow.js LayersModel under `base-models/<id>/`, or a built-in one, installed into
 * the store from its npm package on first use when `npm start` has not done it).
 */
export async function loadBaseModel(storage: Storage, id: string): Promise<BaseModel> {
  if (builtinBaseModel(id) && !(await storage.exists(keys.baseModelRecord(id))))
    await installBuiltinBase(storage, id);
  const isPlatform = id.startsWith('model_');
  if (isPlatform && !(await storage.tryGetJson(keys.modelManifest(id), modelManifestSchema))) {
    throw new JobFailure(
      'base_model_not_found',
      `Base model ${id} does not exist or is not published`,
      'base_model',
    );
  }
  const prefix = isPlatform ? keys.model(id) : keys.baseModel(id);
  if (!(await storage.exists(keys.inFolder(prefix, modelFolderFiles.modelJson)))) {
    throw new JobFailure(
      'base_model_not_found',
      `Base model ${id} has no model.json`,
      'base_model',
    );
  }
  const [model, preprocess] = await Promise.all([
    loadModel(storage, prefix),
    storage.tryGetJson(keys.inFolder(prefix, modelFolderFiles.preprocess), preprocessSchema),
  ]);
  return { model, preprocess };
}

/** Fails the job when the base model cannot take this dataset's inputs. */
export function checkBaseFits(
  base: BaseModel,
  datasetKind: 'images' | 'table' | 'texts',
  task: string,
): void {
  const expected = { images: 'image', table: 'table', texts: 'text' }[datasetKind];
  const inputRank = (base.model.inputs[0]?.shape.length ?? 0) - 1;
  const kindOfBase = base.preprocess?.input.kind ?? (inputRank === 3 ? 'image' : undefined);
  if (kindOfBase !== expected) {
    throw new JobFailure(
      'base_model_mismatch',
      `Base model takes ${kindOfBase ?? `rank-${inputRank}`} inputs; a ${task} dataset needs a base that takes ${expected} inputs`,
      'base_model',
    );
  }
}
