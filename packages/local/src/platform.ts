import { chmod, mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startApiServer } from '@trainyard/api';
import { DatasetService } from '@trainyard/datasets';
import { createModelCache, startInferServer } from '@trainyard/infer';
import { ensureBuiltinBases } from '@trainyard/ml/builtin-bases';
import { sharpImageDecoder } from '@trainyard/predict/sharp';
import { LocalRunner, WebhookNotifier } from '@trainyard/queue';
import {
  type Config,
  createRuntime,
  type DependencyError,
  JobEventLog,
  JobStore,
  OutboundGuard,
} from '@trainyard/shared';
import { lockDataDir } from './data-dir-lock';
import type { EmbeddedS3 } from './embedded-s3';
import { ensureLocalApiKey, type LocalApiKey } from './local-api-key';
import { openLocalRuntime } from './open-runtime';
import { removeOwnPlatformFileSync, writePlatformFile } from './platform-file';

export interface Platform {
  readonly apiUrl: string;
  readonly inferUrl: string;
  readonly s3Endpoint: string;
  /** The config the services run with (`s3.endpoint` set to the embedded server when embedded). */
  readonly config: Config;
  readonly apiKey: LocalApiKey;
  /** The local job runner (`QUEUE=local`, the default); undefined with `QUEUE=batch`. */
  readonly runner: LocalRunner | undefined;
  /** The embedded S3 server (its pid, its restarts); undefined with `S3_ENDPOINT`. */
  readonly embeddedS3: EmbeddedS3 | undefined;
  /** Ids of the datasets a crash had left `validating`, validated again in the background. */
  readonly recoveredDatasets: readonly string[];
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** The trainer command the local runner starts (tests: the contract fixture). */
  readonly trainerCommand?: readonly string[];
  /** Trainer output: to this process's stdout/stderr (default) or dropped. */
  readonly trainerOutput?: 'inherit' | 'ignore';
  /**
   * Called when the embedded S3 server keeps dying and is given up on. Default: print the error
   * and exit with status 1, so that an outer supervisor (systemd, a container) restarts it all.
   */
  readonly onFatal?: (error: DependencyError) => void;
}

function urlOf(server: { address(): string | AddressInfo | null }, host: string): string {
  const address = server.address() as AddressInfo;
  return `http://${host}:${address.port}`;
}

/**
 * Starts the whole platform in this process: the embedded S3 server (unless `S3_ENDPOINT` is
 * set), the bucket, the local API key, the built-in base models (installed once), the API, the
 * inference function and the local job runner (which first picks up the jobs a previous run left
 * queued or running), then writes `<data dir>/platform.json` (where it listens, for the CLI and
 * the SDK). `close` removes that file, stops the trainers (they resume at the next start), then
 * the servers.
 */
export async function startPlatform(
  config: Config,
  options: PlatformOptions = {},
): Promise<Platform> {
  // The data directory holds the store's files and credential: this user's only.
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  await chmod(config.dataDir, 0o700);
  // One platform per data directory: a second would run the same jobs again and overwrite
  // platform.json (throws DataDirLockedError naming the running one).
  const unlock = await lockDataDir(config.dataDir, (error) =>
    process.stderr.write(`Trainyard: the lock on ${config.dataDir} was lost: ${error.message}\n`),
  );
  let embedded: EmbeddedS3 | undefined;
  const logger = createRuntime(config, 'platform').logger;
  const runtime = await openLocalRuntime(config, 'platform', {
    port: config.s3.embeddedPort,
    host: config.http.host,
    supervision: {
      onRestart: (info) => logger.warn(info, 'embedded S3 server exited; restarting it'),
      onGiveUp:
        options.onFatal ??
        ((error) => {
          logger.fatal({ err: error }, error.message);
          process.stderr.write(`Trainyard stops: ${error.message}\n`);
          removeOwnPlatformFileSync(config.dataDir);
          process.exit(1);
        }),
    },
    onEmbedded: (store) => {
      embedded = store;
    },
  }).catch(async (error: unknown) => {
    await unlock();
    throw error;
  });
  const effective = runtime.config;
  const closers: Array<() => Promise<void>> = [];
  try {
    // Projects: the default one exists; keys from before projects become its admins. Data from
    // before projects (no `project` field) is read as the default project's (see `projectOf`).
    await runtime.projects.ensureDefault();
    const migrated = await runtime.apiKeys.migrate();
    if (migrated.length)
      runtime.logger.info(
        { keys: migrated },
        `${migrated.length} API key(s) from before projects moved into the default project`,
      );
    const apiKey = await ensureLocalApiKey(runtime);
    // The built-in bases (from npm packages, no network) go into the store at the first start.
    await ensureBuiltinBases(runtime.storage);
    // Datasets a crash left `validating`: nothing else validates them, so this start does.
    const datasets = new DatasetService({
      storage: runtime.storage,
      logger: runtime.logger,
      uploadMaxBytes: effective.uploadMaxBytes,
    });
    const recoveredDatasets = await datasets.recoverInterrupted();
    const runner =
      effective.queue.kind === 'local'
        ? createRunner(createRuntime(effective, 'runner'), options)
        : undefined;
    const inferRuntime = createRuntime(effective, 'infer');
    // The inference function's cache, which the API empties of a model it deletes (at once,
    // instead of within the cache's re-check interval).
    const models = createModelCache(inferRuntime, { imageDecoder: sharpImageDecoder });
    const infer = await startInferServer(inferRuntime, undefined, { cache: models });
    closers.push(
      () =>
        new Promise((resolve) => {
          infer.close(() => resolve());
          // The console's forwarded predictions keep connections alive: end them too.
          if ('closeAllConnections' in infer) infer.closeAllConnections();
        }),
    );
    // The console's "try it" forwards to the inference server this start opened (its port may be 0).
    const api = await startApiServer({
      ...createRuntime(effective, 'api'),
      queue: runner,
      imageDecoder: sharpImageDecoder,
      onModelDeleted: (id) => models.forget(id),
      inferUrl: effective.console.inferUrl ?? urlOf(infer, effective.http.host),
    });
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
    const apiUrl = urlOf(api, effective.http.host);
    const inferUrl = urlOf(infer, effective.http.host);
    // Where it listens, for the CLI and the SDK (any port); gone first when it stops.
    closers.push(await writePlatformFile(effective.dataDir, { apiUrl, inferUrl }));
    return {
      apiUrl,
      inferUrl,
      s3Endpoint: effective.s3.endpoint ?? 'AWS S3',
      config: effective,
      apiKey,
      runner,
      embeddedS3: embedded,
      recoveredDatasets,
      async close() {
        for (const close of closers.reverse()) await close();
        await runtime.close();
        await unlock();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close();
    await runtime.close();
    await unlock();
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
