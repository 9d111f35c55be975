import { Aws } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The environment variables every Trainyard process in AWS reads through the same zod
 * configuration as locally (`packages/shared/src/config/config.ts`). Setting `S3_ENDPOINT` is what
 * turns the embedded store off; no credentials are set, so the SDK uses the role of the Lambda
 * function or Batch job (Lambda's own `AWS_*` key variables are passed through by the config).
 */
export function s3Environment(bucket: s3.IBucket): Record<string, string> {
  return {
    S3_ENDPOINT: `https://s3.${Aws.REGION}.${Aws.URL_SUFFIX}`,
    S3_BUCKET: bucket.bucketName,
    S3_REGION: Aws.REGION,
    // Virtual-hosted addressing is what AWS S3 expects; path style is for MinIO and the embedded store.
    S3_FORCE_PATH_STYLE: 'false',
    // Only the embedded store writes here; /tmp is the one writable place in Lambda.
    TRAINYARD_DATA_DIR: '/tmp/trainyard',
    LOG_LEVEL: 'info',
  };
}
