import '../models/attention-layers'; // custom layers must be registered before a model loads
import { keys, preprocessSchema, type Storage } from '@trainyard/shared';
import { loadModel } from '../io/s3-model-io';
import { Predictor } from './predictor';

/** A published model (`models/<id>/`) with its `preprocess.json`, ready to predict. */
export async function loadPredictor(
  storage: Storage,
  modelId: string,
  options: { maxImagePixels?: number } = {},
): Promise<Predictor> {
  const [model, pre] = await Promise.all([
    loadModel(storage, keys.model(modelId)),
    storage.getJson(keys.modelFile(modelId, 'preprocess.json'), preprocessSchema),
  ]);
  return new Predictor(model, pre, options);
}
