/**
 * The S3 key prefixes IAM is scoped to. They mirror `prefixes` in `@trainyard/shared` (a test
 * keeps the two equal); infra keeps its own copy so that synthesizing the stack does not load
 * the runtime packages.
 */
export const bucketPrefixes = {
  auth: 'auth/',
  apiKeys: 'auth/api-keys/',
  datasets: 'datasets/',
  baseModels: 'base-models/',
  jobs: 'jobs/',
  models: 'models/',
  idempotency: 'idempotency/',
  projects: 'projects/',
} as const;

export type BucketPrefix = (typeof bucketPrefixes)[keyof typeof bucketPrefixes];
