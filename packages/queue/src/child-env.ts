import type { Config } from '@trainyard/shared';

/**
 * The environment a trainer needs besides `JOB_ID`: the S3 endpoint and credentials this
 * platform uses (in `npm start`, the embedded server's), so the child reads and writes the same
 * bucket (through `LOCAL_TRAINER_S3_ENDPOINT` instead when set), and the backend choice.
 */
export function trainerEnvironment(config: Config): Record<string, string> {
  const env: Record<string, string> = {
    S3_BUCKET: config.s3.bucket,
    S3_REGION: config.s3.region,
    S3_FORCE_PATH_STYLE: String(config.s3.forcePathStyle),
    TFJS_BACKEND: config.backend,
    LOG_LEVEL: config.logLevel,
    TRAINYARD_DATA_DIR: config.dataDir,
  };
  const endpoint =
    (config.queue.kind === 'local' ? config.queue.trainerS3Endpoint : undefined) ??
    config.s3.endpoint;
  if (endpoint) env.S3_ENDPOINT = endpoint;
  if (config.s3.credentials) {
    env.AWS_ACCESS_KEY_ID = config.s3.credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = config.s3.credentials.secretAccessKey;
    if (config.s3.credentials.sessionToken) {
      env.AWS_SESSION_TOKEN = config.s3.credentials.sessionToken;
    }
  }
  return env;
}
