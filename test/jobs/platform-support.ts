import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { type Platform, type PlatformOptions, startPlatform } from '@trainyard/local';
import { createRuntime } from '@trainyard/shared';
import { testConfig } from '@trainyard/testing';

/**
 * `npm start`'s platform (API, inference, local runner) in this process, on a bucket and data
 * directory of its own, restartable: `start()` again after `close()` is the same platform.
 */
export async function platformHarness(
  options: PlatformOptions = {},
  env: Record<string, string> = {},
) {
  const dataDir = await mkdtemp(join(tmpdir(), 'trainyard-platform-'));
  const config = testConfig({
    S3_BUCKET: `ty-platform-${randomBytes(4).toString('hex')}`,
    TRAINYARD_DATA_DIR: dataDir,
    API_PORT: '0',
    INFER_PORT: '0',
    ...env,
  });
  let platform: Platform | undefined;
  return {
    async start(): Promise<Platform> {
      platform = await startPlatform(config, { trainerOutput: 'ignore', ...options });
      return platform;
    },
    call(path: string, init: RequestInit = {}): Promise<Response> {
      return fetch(`${platform!.apiUrl}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${platform!.apiKey.secret}`, ...init.headers },
      });
    },
    get platform(): Platform {
      return platform!;
    },
    async dispose(): Promise<void> {
      await platform?.close();
      const runtime = createRuntime(config, 'test');
      await runtime.storage.deletePrefix('');
      await runtime.s3.send(new DeleteBucketCommand({ Bucket: config.s3.bucket }));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
