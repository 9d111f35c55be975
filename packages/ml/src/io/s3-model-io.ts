import * as tf from '@tensorflow/tfjs';
import { loadLayersModelFrom } from '@trainyard/predict';
import { keys, modelFolderFiles, type Storage } from '@trainyard/shared';

export { MAX_MODEL_BYTES } from '@trainyard/predict';

function joinWeights(data: tf.io.WeightData): ArrayBuffer {
  if (!Array.isArray(data)) return data;
  const total = data.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}

/**
 * Saves a LayersModel under `prefix` in S3 as TensorFlow.js files: `model.json` and one
 * `weights.bin`. Returns the files written with their sizes (for the model manifest). `prefix` is
 * a model folder from `keys` (`keys.model`, `keys.jobTrialModel`, `keys.jobCheckpoint`); any other
 * string throws `InternalError`.
 */
export async function saveModel(
  model: tf.LayersModel,
  storage: Storage,
  prefix: string,
): Promise<Array<{ path: string; bytes: number }>> {
  const written: Array<{ path: string; bytes: number }> = [];
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(joinWeights(artifacts.weightData ?? new ArrayBuffer(0)));
      await storage.putBytes(
        keys.inFolder(prefix, modelFolderFiles.weights),
        weights,
        'application/octet-stream',
      );
      const json = JSON.stringify({
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [
          { paths: [modelFolderFiles.weights], weights: artifacts.weightSpecs ?? [] },
        ],
      });
      await storage.putBytes(
        keys.inFolder(prefix, modelFolderFiles.modelJson),
        json,
        'application/json',
      );
      written.push(
        { path: modelFolderFiles.weights, bytes: weights.length },
        { path: modelFolderFiles.modelJson, bytes: Buffer.byteLength(json) },
      );
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return written;
}

/**
 * Loads a LayersModel saved under `prefix` (a model folder from `keys`, by `saveModel`, or
 * imported): the manifest is checked first (shard paths inside the prefix, declared sizes within
 * the cap and equal to the bytes read). Throws `ValidationError` for a bad manifest, `DataError`
 * (`invalid_model`) when the weights do not add up, `NotFoundError` when a file is missing.
 */
export function loadModel(storage: Storage, prefix: string): Promise<tf.LayersModel> {
  return loadLayersModelFrom(
    (path) => storage.getBytes(keys.inFolder(prefix, path)),
    `model at ${prefix}`,
  );
}
