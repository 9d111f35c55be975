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

/** One path segment: a relative path without `/`. */
function segment(name: string): string {
  if (relative(name).includes('/')) {
    throw new InternalError(`not a single path segment: ${JSON.stringify(name.slice(0, 80))}`);
  }
  return name;
}

/** A folder a builder below returned: under one of the `prefixes`, ending in `/`. */
function folder(key: string): string {
  if (!key.endsWith('/') || !Object.values(prefixes).some((p) => key.startsWith(p))) {
    throw new InternalError(`not a resource folder: ${JSON.stringify(key.slice(0, 80))}`);
  }
  return key;
}

/** A whole number ≥ 0, in `radix`, zero-padded to `width`. */
function pad(n: number, width: number, what: string, radix = 10): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new InternalError(`not a ${what}: ${n}`);
  return n.toString(radix).padStart(width, '0');
}

const trialFolder = (id: string, trial: number) =>
  `${prefixes.jobs}${job(id)}/trials/${pad(trial, 4, 'trial number')}/`;
const claimsPrefix = (id: string, trial: number, attempt: number) =>
  `${trialFolder(id, trial)}claims/${pad(attempt, 4, 'attempt')}-`;

/**
 * The files of a model folder (`keys.model`, `keys.baseModel`, `keys.jobTrialModel`,
 * `keys.jobCheckpoint`): the TensorFlow.js topology and manifest, the weights `saveModel` writes
 * (imports keep their own shard names), the preprocessing, and a checkpoint's extras.
 */
export const modelFolderFiles = {
  modelJson: 'model.json',
  weights: 'weights.bin',
  preprocess: 'preprocess.json',
  optimizer: 'optimizer.bin',
  checkpointState: 'state.json',
} as const;

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
  /** A multipart upload in progress: its upload id and part size, removed by `complete`. */
  datasetUploadState: (id: string) => `${prefixes.datasets}${ds(id)}/upload.json`,
  datasetNormalized: (id: string) => `${prefixes.datasets}${ds(id)}/normalized/`,
  datasetArtifact: (id: string, name: string) =>
    `${prefixes.datasets}${ds(id)}/normalized/${relative(name)}`,
  /**
   * Written by a delete before it removes the dataset's objects, outside their prefix: a
   * validation still running sees it and writes nothing back.
   */
  datasetTombstone: (id: string) => `${prefixes.datasets}${ds(id)}.deleted`,
  datasetManifest: (id: string) => `${prefixes.datasets}${ds(id)}/normalized/manifest.json`,
  /**
   * Shard `n` (0-based) of a normalized dataset: `normalized/<name>-00000.<ext>`; `part` names a
   * file that goes with it (`references`, `index`: `<name>-00000.<part>.json`).
   */
  datasetShard: (id: string, name: string, n: number, ext: string, part?: 'references' | 'index') =>
    `${prefixes.datasets}${ds(id)}/normalized/${segment(`${name}-${pad(n, 5, 'shard number')}${part ? `.${part}.json` : `.${ext}`}`)}`,

  baseModel: (id: string) => `${prefixes.baseModels}${bm(id)}/`,
  /** Written last by an import: the base model exists once this does. */
  baseModelRecord: (id: string) => `${prefixes.baseModels}${bm(id)}/base-model.json`,
  baseModelFile: (id: string, path: string) => `${prefixes.baseModels}${bm(id)}/${relative(path)}`,

  job: (id: string) => `${prefixes.jobs}${job(id)}/`,
  jobSpec: (id: string) => `${prefixes.jobs}${job(id)}/spec.json`,
  jobEvents: (id: string) => `${prefixes.jobs}${job(id)}/events/`,
  /** One event: `events/<event id>.<type>.json`, so a listing alone gives ids and types in order. */
  jobEvent: (id: string, eventId: string, type: string) =>
    `${prefixes.jobs}${job(id)}/events/${segment(`${eventId}.${type}.json`)}`,
  /** The webhook's signing secret, apart from the spec (which the trainer reads and GET shows). */
  jobWebhookSecret: (id: string) => `${prefixes.jobs}${job(id)}/webhook.json`,
  /** Checkpoints: `jobs/<id>/checkpoints/<name>/` (model files + `state.json`). */
  jobCheckpoints: (id: string) => `${prefixes.jobs}${job(id)}/checkpoints/`,
  /** One checkpoint's folder (a model folder plus `optimizer.bin` and `state.json`). */
  jobCheckpoint: (id: string, name: string) =>
    `${prefixes.jobs}${job(id)}/checkpoints/${segment(name)}/`,
  /** Tuning: one folder per trial (its result, its checkpoints). */
  jobTrial: (id: string, trial: number) => trialFolder(id, trial),
  /** A completed trial's model folder, kept for the lead to publish. */
  jobTrialModel: (id: string, trial: number) => `${trialFolder(id, trial)}model/`,
  /** The claims on a trial in one attempt (1-based): `trials/<n>/claims/<attempt>-`. */
  jobTrialClaims: (id: string, trial: number, attempt: number) => claimsPrefix(id, trial, attempt),
  /** One worker's claim, keyed by its write time (ms) so that the earliest sorts first. */
  jobTrialClaim: (id: string, trial: number, attempt: number, at: number, worker: string) =>
    `${claimsPrefix(id, trial, attempt)}${pad(at, 9, 'time', 36)}-${token(worker, 'worker')}`,

  model: (id: string) => `${prefixes.models}${model(id)}/`,
  modelManifest: (id: string) => `${prefixes.models}${model(id)}/manifest.json`,
  /**
   * Written by `DELETE /v1/models/{id}` beside the model's folder (outside its prefix, so not
   * listed as a model): a later `GET` of the id says it was deleted, not that it never existed.
   */
  modelTombstone: (id: string) => `${prefixes.models}${model(id)}.deleted`,
  modelFile: (id: string, path: string) => `${prefixes.models}${model(id)}/${relative(path)}`,
  /** A file inside a folder one of these builders returned (a model folder, most often). */
  inFolder: (key: string, path: string) => `${folder(key)}${relative(path)}`,
  /**
   * Per-example predictions on one evaluated split (JSON Lines of `ExamplePrediction`): listed in
   * the model's `files` but never loaded to predict (see `isModelPredictionsFile`).
   */
  modelPredictions: (id: string, split: 'validation' | 'test' | 'train') =>
    `${prefixes.models}${model(id)}/${modelPredictionsPath(split)}`,

  /** A project's record: `projects/<id>.json`. */
  project: (id: string) => `${prefixes.projects}${token(id, 'project id')}.json`,
  /**
   * The jobs a project admitted in the last minute, as every API process sees them
   * (`projects/<id>/admissions.json`): written only with conditional PUTs, so that two processes
   * cannot both take a project's last job slot.
   */
  projectAdmissions: (id: string) =>
    `${prefixes.projects}${token(id, 'project id')}/admissions.json`,

  idempotency: (scope: string, keyHash: string) =>
    `${prefixes.idempotency}${token(scope, 'scope')}/${token(keyHash, 'key hash')}.json`,
} as const;

/** `predictions/<split>.jsonl`: where `keys.modelPredictions` is, relative to `models/<id>/`. */
export function modelPredictionsPath(split: 'validation' | 'test' | 'train'): string {
  return `predictions/${split}.jsonl`;
}

/**
 * Whether a path of a model's `files` (relative to `models/<id>/`) is one of its per-example
 * prediction files (`keys.modelPredictions`): evaluation output, not part of what predicts.
 */
export function isModelPredictionsFile(path: string): boolean {
  return path.startsWith('predictions/');
}
