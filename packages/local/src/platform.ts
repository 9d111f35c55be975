import { chmod, mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startApiServer } from '@trainyard/api';
import { startInferServer } from '@trainyard/infer';
import { LocalRunner, WebhookNotifier } from '@trainyard/queue';
import {
  type Config,
  createRuntime,
  ensureBucket,
  JobEventLog,
  JobStore,
  OutboundGuard,
} from '@trainyard/shared';
import { type EmbeddedS3, embeddedS3CredentialFile, startEmbeddedS3 } from './embedded-s3';
import { ensureLocalApiKey, type LocalApiKey } from './local-api-key';

export interface Platform {
  readonly apiUrl: string;
  readonly inferUrl: string;
  readonly s3Endpoint: string;
  /** The config the services run with (`s3.endpoint` set to the embedded server when embedded). */
  readonly config: Config;
  readonly apiKey: LocalApiKey;
  /** The local job runner (`QUEUE=local`, the default); undefined with `QUEUE=batch`. */
  readonly runner: LocalRunner | undefined;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** The trainer command the local runner starts (tests: the contract fixture). */
  readonly trainerCommand?: readonly string[];
  /** Trainer output: to this process's stdout/stderr (default) or dropped. */
  readonly trainerOutput?: 'inherit' | 'ignore';
}

function urlOf(server: { address(): string | AddressInfo | null }, host: string): string {
  const address = server.address() as AddressInfo;
  return `http://${host}:${address.port}`;
}

/**
 * Starts the whole platform in this process: the embedded S3 server (unless `S3_ENDPOINT` is
 * set), the bucket, the local API key, the API, the inference function and the local job runner
 * (which first picks up the jobs a previous run left queued or running). `close` stops the
 * trainers (they resume at the next start), then the servers.
 */
export async function startPlatform(
  config: Config,
  options: PlatformOptions = {},
): Promise<Platform> {
  // The data directory holds the store's files and credential: this user's only.
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  await chmod(config.dataDir, 0o700);
  let embedded: EmbeddedS3 | undefined;
  let effective = config;
  if (config.s3.embedded) {
    embedded = await startEmbeddedS3({
      directory: join(config.dataDir, 's3'),
      credentialFile: embeddedS3CredentialFile(config.dataDir),
      bucket: config.s3.bucket,
      port: config.s3.embeddedPort,
    });
    effective = {
      ...config,
      s3: { ...config.s3, endpoint: embedded.endpoint, credentials: embedded.credential },
    };
  }
  const closers: Array<() => Promise<void>> = [];
  try {
    const runtime = createRuntime(effective, 'platform');
    await ensureBucket(runtime.s3, effective.s3.bucket);
    const apiKey = await ensureLocalApiKey(runtime);
    const runner =
      effective.queue.kind === 'local'
        ? createRunner(createRuntime(effective, 'runner'), options)
        : undefined;
    const api = await startApiServer({ ...createRuntime(effective, 'api'), queue: runner });
    closers.push(
      () =>
        new Promise((resolve) => {
          api.close(() => resolve());
          // Event streams stay open while their job runs: end them instead of waiting.
          if ('closeAllConnections' in api) api.closeAllConnections();
        }),
    );
    if (runner) {
      // Trainers stop (recording job.interrupted) before the embedded S3 server, which closes last.
      closers.push(() => runner.close());
      await runner.start();
    }
    const infer = await startInferServer(createRuntime(effective, 'infer'));
    closers.push(() => new Promise((resolve) => infer.close(() => resolve())));
    return {
      apiUrl: urlOf(api, effective.http.host),
      inferUrl: urlOf(infer, effective.http.host),
      s3Endpoint: effective.s3.endpoint ?? 'AWS S3',
      config: effective,
      apiKey,
      runner,
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

function createRunner(runtime: ReturnType<typeof createRuntime>, options: PlatformOptions) {
  const { storage, config, logger } = runtime;
  const store = new JobStore(storage, new JobEventLog(storage, 'runner'));
  return new LocalRunner({
    store,
    log: new JobEventLog(storage, 'runner'),
    config,
    logger,
    ...(options.trainerCommand ? { command: options.trainerCommand } : {}),
    output: options.trainerOutput ?? 'inherit',
    pidDir: join(config.dataDir, 'runner'),
    webhooks: new WebhookNotifier({
      store,
      log: new JobEventLog(storage, 'webhooks'),
      logger,
      outbound: new OutboundGuard({ allow: config.outbound.allow }),
    }),
  });
}
