import * as tf from '@tensorflow/tfjs';
import { checkTfjsManifest, keys, modelFolderFiles, type Storage } from '@trainyard/shared';
import { DataError } from '../errors';

/** Largest model the platform loads (weights), as a guard against a hostile model.json. */
export const MAX_MODEL_BYTES = 512 * 1024 * 1024;

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
export async function loadModel(storage: Storage, prefix: string): Promise<tf.LayersModel> {
  const json = JSON.parse(
    Buffer.from(await storage.getBytes(keys.inFolder(prefix, modelFolderFiles.modelJson))).toString(
      'utf8',
    ),
  );
  const { model, paths, bytes } = checkTfjsManifest(json, MAX_MODEL_BYTES);
  const shards = await Promise.all(paths.map((p) => storage.getBytes(keys.inFolder(prefix, p))));
  const total = shards.reduce((n, s) => n + s.length, 0);
  if (total !== bytes) {
    throw new DataError(
      `model at ${prefix} declares ${bytes} bytes of weights but its files hold ${total}`,
      {
        code: 'invalid_model',
      },
    );
  }
  const data = new Uint8Array(total);
  let at = 0;
  for (const s of shards) {
    data.set(s, at);
    at += s.length;
  }
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: model.modelTopology,
      weightSpecs: model.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: data.buffer,
    }),
  );
}
