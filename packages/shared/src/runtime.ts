import type { S3Client } from '@aws-sdk/client-s3';
import { ApiKeyStore, ProjectStore } from './auth';
import { type Config, exitOnConfigError, loadConfig } from './config';
import { ConfigError } from './errors';
import { createLogger, type Logger } from './logger';
import { createS3Client, ensureBucket, Storage } from './storage';
import { VERSION } from './version';

/** The clients a process creates once at start and passes to what it runs. */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly s3: S3Client;
  readonly storage: Storage;
  readonly apiKeys: ApiKeyStore;
  /** Projects: every key, dataset, job and model belongs to one. */
  readonly projects: ProjectStore;
  readonly version: string;
}

/**
 * The clients for `config` (its endpoint must be set, or `config.s3.embedded` false); logs are
 * tagged with `service`. Opens no connection: see `openRuntime` for a store that is there.
 */
export function createRuntime(config: Config, service: string): Runtime {
  const logger = createLogger(service, config.logLevel);
  const s3 = createS3Client(config.s3);
  const storage = new Storage(s3, config.s3.bucket);
  return {
    config,
    logger,
    s3,
    storage,
    apiKeys: new ApiKeyStore(storage, config.admission.apiKeyCacheMs),
    projects: new ProjectStore(storage),
    version: VERSION,
  };
}

/** A running S3-compatible server the runtime talks to when no `S3_ENDPOINT` is configured. */
export interface EmbeddedStore {
  /** `http://host:port`. */
  readonly endpoint: string;
  /** The credential the store takes (SigV4), when it checks signatures. */
  readonly credential?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  close(): Promise<void>;
}

export interface OpenRuntimeOptions {
  /**
   * Starts the embedded store for a config without `S3_ENDPOINT` (`@trainyard/local`'s
   * `openLocalRuntime` passes one). Without it, such a config is a `ConfigError`.
   */
  readonly startEmbedded?: (config: Config) => Promise<EmbeddedStore>;
  /** Create the bucket when it is missing. Default `true`. */
  readonly ensureBucket?: boolean;
}

/** A runtime on a store that is there; `close` ends its S3 client and any store it started. */
export interface OpenedRuntime extends Runtime {
  close(): Promise<void>;
}

/**
 * The one way a process opens its store: the configured S3 endpoint, or, with none, the embedded
 * store `options.startEmbedded` starts (the returned runtime's `config.s3.endpoint` is then that
 * store's). Creates the bucket when missing unless `ensureBucket: false`. Throws a `ConfigError`
 * (no endpoint and no embedded store) or the `DependencyError` of an unreachable bucket, having
 * closed what it opened.
 */
export async function openRuntime(
  config: Config,
  service: string,
  options: OpenRuntimeOptions = {},
): Promise<OpenedRuntime> {
  let store: EmbeddedStore | undefined;
  let effective = config;
  if (config.s3.embedded) {
    if (!options.startEmbedded) {
      throw new ConfigError(
        'S3_ENDPOINT is not set: run `npm start` for the embedded platform, or point S3_ENDPOINT at MinIO/S3',
        { param: 'S3_ENDPOINT' },
      );
    }
    store = await options.startEmbedded(config);
    effective = {
      ...config,
      s3: {
        ...config.s3,
        endpoint: store.endpoint,
        ...(store.credential ? { credentials: store.credential } : {}),
      },
    };
  }
  const runtime = createRuntime(effective, service);
  const close = async () => {
    runtime.s3.destroy();
    await store?.close();
  };
  try {
    if (options.ensureBucket ?? true) await ensureBucket(runtime.s3, effective.s3.bucket);
  } catch (error) {
    await close();
    throw error;
  }
  return { ...runtime, close };
}

/**
 * `openRuntime` on the environment's configuration, for a process's entry: a bad variable or a
 * missing endpoint is printed and stops the process (exit code 78, as `loadConfigOrExit`).
 */
export async function openRuntimeOrExit(
  service: string,
  options: OpenRuntimeOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<OpenedRuntime> {
  try {
    return await openRuntime(loadConfig(env), service, options);
  } catch (error) {
    return exitOnConfigError(error);
  }
}
