import { randomBytes } from 'node:crypto';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { type Config, loadConfig, openRuntime, type Runtime } from '@trainyard/shared';

/** The test run's configuration: the real S3 endpoint from the global setup or `S3_ENDPOINT`. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...process.env, LOG_LEVEL: 'silent', ...overrides });
}

/**
 * A runtime on a bucket of its own (created here), so that tests see only their own objects.
 * Call `dispose` after the tests to empty and remove the bucket.
 */
export async function isolatedRuntime(
  name = 'ty-test',
  overrides: Record<string, string> = {},
): Promise<Runtime & { dispose(): Promise<void> }> {
  const bucket = `${name}-${randomBytes(4).toString('hex')}`;
  const runtime = await openRuntime(testConfig({ S3_BUCKET: bucket, ...overrides }), 'test');
  return {
    ...runtime,
    async dispose() {
      await runtime.storage.deletePrefix('');
      await runtime.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    },
  };
}
