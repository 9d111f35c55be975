/**
 * The S3 key layout, in one place. Every object Trainyard writes lives under one of these
 * prefixes, so that IAM policies, lifecycle rules and `DELETE` can address a whole resource.
 */
export const prefixes = {
  apiKeys: 'auth/api-keys/',
  datasets: 'datasets/',
  baseModels: 'base-models/',
  jobs: 'jobs/',
  models: 'models/',
  idempotency: 'idempotency/',
} as const;

export const keys = {
  apiKey: (keyId: string) => `${prefixes.apiKeys}${keyId}.json`,

  dataset: (id: string) => `${prefixes.datasets}${id}/`,
  datasetMeta: (id: string) => `${prefixes.datasets}${id}/dataset.json`,
  /** The file as validated: copied here from `datasetUpload` by `complete`, never a PUT target. */
  datasetRaw: (id: string) => `${prefixes.datasets}${id}/raw/upload`,
  /**
   * Where uploads land (presigned PUT or multipart, or the API's PUT). A URL handed out earlier
   * can only ever write here, so it cannot replace the file a dataset was validated from.
   */
  datasetUpload: (id: string) => `${prefixes.datasets}${id}/incoming/file`,
  datasetNormalized: (id: string) => `${prefixes.datasets}${id}/normalized/`,
  datasetArtifact: (id: string, name: string) => `${prefixes.datasets}${id}/normalized/${name}`,
  /**
   * Written by a delete before it removes the dataset's objects, outside their prefix: a
   * validation still running sees it and writes nothing back.
   */
  datasetTombstone: (id: string) => `${prefixes.datasets}${id}.deleted`,
  datasetManifest: (id: string) => `${prefixes.datasets}${id}/normalized/manifest.json`,

  baseModel: (id: string) => `${prefixes.baseModels}${id}/`,
  /** Written last by an import: the base model exists once this does. */
  baseModelRecord: (id: string) => `${prefixes.baseModels}${id}/base-model.json`,

  job: (id: string) => `${prefixes.jobs}${id}/`,
  jobSpec: (id: string) => `${prefixes.jobs}${id}/spec.json`,
  jobEvents: (id: string) => `${prefixes.jobs}${id}/events/`,
  /** The webhook's signing secret, apart from the spec (which the trainer reads and GET shows). */
  jobWebhookSecret: (id: string) => `${prefixes.jobs}${id}/webhook.json`,
  /** Checkpoints: `jobs/<id>/checkpoints/<name>/` (model files + `state.json`). */
  jobCheckpoints: (id: string) => `${prefixes.jobs}${id}/checkpoints/`,
  /** Tuning: one folder per trial (its result, its checkpoints). */
  jobTrial: (id: string, trial: number) =>
    `${prefixes.jobs}${id}/trials/${String(trial).padStart(4, '0')}/`,

  model: (id: string) => `${prefixes.models}${id}/`,
  modelManifest: (id: string) => `${prefixes.models}${id}/manifest.json`,
  modelFile: (id: string, path: string) => `${prefixes.models}${id}/${path}`,
  /** Per-example predictions on one evaluated split (JSON Lines of `ExamplePrediction`). */
  modelPredictions: (id: string, split: 'validation' | 'test' | 'train') =>
    `${prefixes.models}${id}/predictions/${split}.jsonl`,

  idempotency: (scope: string, keyHash: string) =>
    `${prefixes.idempotency}${scope}/${keyHash}.json`,
} as const;
