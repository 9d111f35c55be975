import type { S3Client } from '@aws-sdk/client-s3';
import { ApiKeyStore } from './auth';
import type { Config } from './config';
import { createLogger, type Logger } from './logger';
import { createS3Client, Storage } from './storage';
import { VERSION } from './version';

/** The clients a process creates once at start and passes to what it runs. */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly s3: S3Client;
  readonly storage: Storage;
  readonly apiKeys: ApiKeyStore;
  readonly version: string;
}

export function createRuntime(config: Config, service: string): Runtime {
  const logger = createLogger(service, config.logLevel);
  const s3 = createS3Client(config.s3);
  const storage = new Storage(s3, config.s3.bucket);
  return { config, logger, s3, storage, apiKeys: new ApiKeyStore(storage), version: VERSION };
}
