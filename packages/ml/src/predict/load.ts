import {
  loadPredictor as loadFrom,
  type Predictor,
  type PredictorOptions,
} from '@trainyard/predict';
import { sharpImageDecoder } from '@trainyard/predict/sharp';
import { keys, type Storage } from '@trainyard/shared';

/**
 * A published model (`models/<id>/` in S3) with its `preprocess.json`, ready to predict; images
 * decode with sharp, as training decoded them, unless `options.imageDecoder` says otherwise.
 */
export async function loadPredictor(
  storage: Storage,
  modelId: string,
  options: PredictorOptions = {},
): Promise<Predictor> {
  const prefix = keys.model(modelId);
  return loadFrom((path) => storage.getBytes(`${prefix}${path}`), {
    where: `model at ${prefix}`,
    imageDecoder: sharpImageDecoder,
    ...options,
  });
}
