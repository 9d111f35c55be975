import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedS3CredentialFile, startEmbeddedS3 } from '@trainyard/local';

/**
 * Vitest global setup: every test talks to a real S3 endpoint. With `S3_ENDPOINT` set (MinIO,
 * AWS) that one is used; otherwise one embedded server is started for the whole run, and the
 * variables are set for the test workers (which inherit this process's environment).
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.S3_ENDPOINT) return async () => {};
  const directory = await mkdtemp(join(tmpdir(), 'trainyard-test-s3-'));
  // Locked like an install's: the workers sign with its credential, as they would with MinIO's.
  const s3 = await startEmbeddedS3({
    directory: join(directory, 's3'),
    credentialFile: embeddedS3CredentialFile(directory),
    bucket: 'trainyard-test',
    port: 0,
  });
  process.env.S3_ENDPOINT = s3.endpoint;
  process.env.AWS_ACCESS_KEY_ID = s3.credential.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.credential.secretAccessKey;
  return async () => {
    await s3.close();
    await rm(directory, { recursive: true, force: true });
  };
}
