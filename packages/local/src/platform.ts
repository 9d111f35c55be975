import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startApiServer } from '@trainyard/api';
import { startInferServer } from '@trainyard/infer';
import { type Config, createRuntime, ensureBucket } from '@trainyard/shared';
import { type EmbeddedS3, startEmbeddedS3 } from './embedded-s3';
import { ensureLocalApiKey, type LocalApiKey } from './local-api-key';

export interface Platform {
  readonly apiUrl: string;
  readonly inferUrl: string;
  readonly s3Endpoint: string;
  /** The config the services run with (`s3.endpoint` set to the embedded server when embedded). */
  readonly config: Config;
  readonly apiKey: LocalApiKey;
  close(): Promise<void>;
}

function urlOf(server: { address(): string | AddressInfo | null }, host: string): string {
  const address = server.address() as AddressInfo;
  return `http://${host}:${address.port}`;
}

/**
 * Starts the whole platform in this process: the embedded S3 server (unless `S3_ENDPOINT` is
 * set), the bucket, the local API key, the API and the inference function.
 */
export async function startPlatform(config: Config): Promise<Platform> {
  await mkdir(config.dataDir, { recursive: true });
  let embedded: EmbeddedS3 | undefined;
  let effective = config;
  if (config.s3.embedded) {
    embedded = await startEmbeddedS3({
      directory: join(config.dataDir, 's3'),
      bucket: config.s3.bucket,
      port: config.s3.embeddedPort,
      host: config.http.host,
    });
    effective = { ...config, s3: { ...config.s3, endpoint: embedded.endpoint } };
  }
  const closers: Array<() => Promise<void>> = [];
  try {
    const runtime = createRuntime(effective, 'platform');
    await ensureBucket(runtime.s3, effective.s3.bucket);
    const apiKey = await ensureLocalApiKey(runtime);
    const api = await startApiServer(createRuntime(effective, 'api'));
    closers.push(() => new Promise((resolve) => api.close(() => resolve())));
    const infer = await startInferServer(createRuntime(effective, 'infer'));
    closers.push(() => new Promise((resolve) => infer.close(() => resolve())));
    return {
      apiUrl: urlOf(api, effective.http.host),
      inferUrl: urlOf(infer, effective.http.host),
      s3Endpoint: effective.s3.endpoint ?? 'AWS S3',
      config: effective,
      apiKey,
      async close() {
        for (const close of closers.reverse()) await close();
        await embedded?.close();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close();
    await embedded?.close();
    throw error;
  }
}
