import * as tf from '@tensorflow/tfjs';
import { checkTfjsManifest, preprocessSchema } from '@trainyard/shared/portable';
import { DataError } from './errors';
import './layers/attention'; // custom layers must be registered before a model loads
import './layers/generalized-mean-pooling';
import { Predictor, type PredictorOptions } from './predictor';

/** Largest model the platform loads (weights), as a guard against a hostile model.json. */
export const MAX_MODEL_BYTES = 512 * 1024 * 1024;

/**
 * Reads one file of a model folder by its path there (`model.json`, `weights.bin`,
 * `preprocess.json`): from S3, a folder (`fromFolder` in `@trainyard/predict/node`), a URL
 * (`fromUrl`), a zip, …
 */
export type ReadModelFile = (path: string) => Promise<Uint8Array>;

const utf8 = new TextDecoder();

/**
 * A TensorFlow.js LayersModel from its files: `model.json` is checked first (shard paths inside the
 * folder, declared sizes within `MAX_MODEL_BYTES` and equal to the bytes read). `where` names the
 * model in messages. Throws `ValidationError` for a bad manifest, `DataError` (`invalid_model`)
 * for weights that do not match it.
 */
export async function loadLayersModelFrom(
  read: ReadModelFile,
  where = 'the model',
): Promise<tf.LayersModel> {
  const json = JSON.parse(utf8.decode(await read('model.json')));
  const { model, paths, bytes } = checkTfjsManifest(json, MAX_MODEL_BYTES);
  const shards = await Promise.all(paths.map((p) => read(p)));
  const total = shards.reduce((n, s) => n + s.length, 0);
  if (total !== bytes) {
    throw new DataError(`${where} declares ${bytes} bytes of weights but its files hold ${total}`, {
      code: 'invalid_model',
    });
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

function readPreprocess(bytes: Uint8Array, where = 'the model') {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch {
    json = undefined;
  }
  const parsed = preprocessSchema.safeParse(json);
  if (!parsed.success) {
    throw new DataError(
      `${where}'s preprocess.json is not the input spec of a Trainyard model (${parsed.error.issues[0]?.message ?? 'not JSON'})`,
      { code: 'invalid_model' },
    );
  }
  return parsed.data;
}

/**
 * A model folder (as `GET /v1/models/{id}/download` unzips, or `models/<id>/` in S3) ready to
 * predict: `model.json` + weights, and `preprocess.json` checked against its schema.
 */
export async function loadPredictor(
  read: ReadModelFile,
  options: PredictorOptions & { where?: string } = {},
): Promise<Predictor> {
  const { where, ...rest } = options;
  const [model, pre] = await Promise.all([
    loadLayersModelFrom(read, where),
    read('preprocess.json').then((b) => readPreprocess(b, where)),
  ]);
  return new Predictor(model, pre, rest);
}

/**
 * Files fetched relative to `base` (a folder URL, absolute or relative to the page; a trailing `/`
 * is added): for browsers, workers
 * and any runtime with `fetch`. A file that does not answer 2xx throws `DataError`
 * (`model_file_unavailable`) naming the URL and status.
 */
export function fromUrl(base: string | URL, init?: RequestInit): ReadModelFile {
  const text = String(base).endsWith('/') ? String(base) : `${base}/`;
  // A relative folder (`./model_abc/`) is relative to the page (or worker script), as fetch's are.
  const here = (globalThis as { location?: { href: string } }).location?.href;
  const folder = new URL(text, here);
  return async (path) => {
    const url = new URL(path, folder);
    const response = await fetch(url, init);
    if (!response.ok) {
      throw new DataError(
        `GET ${url} answered ${response.status}; expected the model file ${path}`,
        {
          code: 'model_file_unavailable',
        },
      );
    }
    return new Uint8Array(await response.arrayBuffer());
  };
}
