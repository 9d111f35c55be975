import { InternalError } from '../errors';
import { API_KEY_ID_PATTERN, checkedId } from '../ids';

/**
 * The S3 key layout, in one place. Every object Trainyard writes lives under one of these
 * prefixes, so that IAM policies, lifecycle rules and `DELETE` can address a whole resource.
 * Keys are built only from well-formed ids (each builder checks its id: a malformed one is a bug
 * and throws an `InternalError` before any storage access), so no key leaves its resource.
 */
export const prefixes = {
  apiKeys: 'auth/api-keys/',
  datasets: 'datasets/',
  baseModels: 'base-models/',
  jobs: 'jobs/',
  models: 'models/',
  idempotency: 'idempotency/',
  projects: 'projects/',
} as const;

const ds = (id: string) => checkedId('ds', id);
const job = (id: string) => checkedId('ftjob', id);
const model = (id: string) => checkedId('model', id);
const bm = (id: string) => checkedId('bm', id);

function apiKeyId(id: string): string {
  if (!API_KEY_ID_PATTERN.test(id)) {
    throw new InternalError(`not an API key id: ${JSON.stringify(id.slice(0, 80))}`);
  }
  return id;
}

/** A relative path inside a resource's folder: no empty, `.` or `..` segment, no leading `/`. */
function relative(path: string): string {
  const segments = path.split('/');
  if (
    path.length === 0 ||
    path.length > 512 ||
    segments.some((s) => s === '' || s === '.' || s === '..') ||
    [...path].some((ch) => ch === '\\' || ch.charCodeAt(0) < 0x20)
  ) {
    throw new InternalError(`not a path inside a resource: ${JSON.stringify(path.slice(0, 80))}`);
  }
  return path;
}

function token(value: string, what: string): string {
  if (!/^[0-9A-Za-z_-]{1,128}$/.test(value)) {
    throw new InternalError(`not a ${what}: ${JSON.stringify(value.slice(0, 80))}`);
  }
  return value;
}

export const keys = {
  apiKey: (keyId: string) => `${prefixes.apiKeys}${apiKeyId(keyId)}.json`,

  dataset: (id: string) => `${prefixes.datasets}${ds(id)}/`,
  datasetMeta: (id: string) => `${prefixes.datasets}${ds(id)}/dataset.json`,
  /** The file as validated: copied here from `datasetUpload` by `complete`, never a PUT target. */
  datasetRaw: (id: string) => `${prefixes.datasets}${ds(id)}/raw/upload`,
  /**
   * Where uploads land (presigned PUT or multipart, or the API's PUT). A URL handed out earlier
   * can only ever write here, so it cannot replace the file a dataset was validated from.
   */
  datasetUpload: (id: string) => `${prefixes.datasets}${ds(id)}/incoming/file`,
  datasetNormalized: (id: string) => `${prefixes.datasets}${ds(id)}/normalized/`,
  datasetArtifact: (id: string, name: string) =>
    `${prefixes.datasets}${ds(id)}/normalized/${relative(name)}`,
  /**
   * Written by a delete before it removes the dataset's objects, outside their prefix: a
   * validation still running sees it and writes nothing back.
   */
  datasetTombstone: (id: string) => `${prefixes.datasets}${ds(id)}.deleted`,
  datasetManifest: (id: string) => `${prefixes.datasets}${ds(id)}/normalized/manifest.json`,

  baseModel: (id: string) => `${prefixes.baseModels}${bm(id)}/`,
  /** Written last by an import: the base model exists once this does. */
  baseModelRecord: (id: string) => `${prefixes.baseModels}${bm(id)}/base-model.json`,

  job: (id: string) => `${prefixes.jobs}${job(id)}/`,
  jobSpec: (id: string) => `${prefixes.jobs}${job(id)}/spec.json`,
  jobEvents: (id: string) => `${prefixes.jobs}${job(id)}/events/`,
  /** The webhook's signing secret, apart from the spec (which the trainer reads and GET shows). */
  jobWebhookSecret: (id: string) => `${prefixes.jobs}${job(id)}/webhook.json`,
  /** Checkpoints: `jobs/<id>/checkpoints/<name>/` (model files + `state.json`). */
  jobCheckpoints: (id: string) => `${prefixes.jobs}${job(id)}/checkpoints/`,
  /** Tuning: one folder per trial (its result, its checkpoints). */
  jobTrial: (id: string, trial: number) => {
    if (!Number.isSafeInteger(trial) || trial < 0) {
      throw new InternalError(`not a trial number: ${trial}`);
    }
    return `${prefixes.jobs}${job(id)}/trials/${String(trial).padStart(4, '0')}/`;
  },

  model: (id: string) => `${prefixes.models}${model(id)}/`,
  modelManifest: (id: string) => `${prefixes.models}${model(id)}/manifest.json`,
  modelFile: (id: string, path: string) => `${prefixes.models}${model(id)}/${relative(path)}`,
  /**
   * Per-example predictions on one evaluated split (JSON Lines of `ExamplePrediction`): listed in
   * the model's `files` but never loaded to predict (see `isModelPredictionsFile`).
   */
  modelPredictions: (id: string, split: 'validation' | 'test' | 'train') =>
    `${prefixes.models}${model(id)}/predictions/${split}.jsonl`,

  idempotency: (scope: string, keyHash: string) =>
    `${prefixes.idempotency}${token(scope, 'scope')}/${token(keyHash, 'key hash')}.json`,
} as const;

/**
 * Whether a path of a model's `files` (relative to `models/<id>/`) is one of its per-example
 * prediction files (`keys.modelPredictions`): evaluation output, not part of what predicts.
 */
export function isModelPredictionsFile(path: string): boolean {
  return path.startsWith('predictions/');
}
