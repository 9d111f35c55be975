import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig, type OpenedRuntime, openRuntime } from '@trainyard/shared';
import {
  type EmbeddedS3,
  type EmbeddedS3Supervision,
  embeddedS3CredentialFile,
  startEmbeddedS3,
} from './embedded-s3';

export interface LocalRuntimeOptions {
  /** Port of the embedded store. Default 0: a free one (a private server beside `npm start`'s). */
  readonly port?: number;
  /** Interface of the embedded store. Default loopback. */
  readonly host?: string;
  /** Restarts of the embedded store's process (see `startEmbeddedS3`). Default: none. */
  readonly supervision?: EmbeddedS3Supervision;
  /** Called with the embedded store once it runs (not called with `S3_ENDPOINT` set). */
  readonly onEmbedded?: (store: EmbeddedS3) => void;
}

/**
 * `openRuntime` with the embedded store: with no `S3_ENDPOINT`, the store keeps its objects
 * under `<dataDir>/s3` and is served for this process alone (`close` stops it); with one, that
 * endpoint. The bucket exists afterwards. `npm start`, the keys CLI and the dev tools open their
 * store here.
 */
export function openLocalRuntime(
  config: Config,
  service: string,
  { port = 0, host, supervision, onEmbedded }: LocalRuntimeOptions = {},
): Promise<OpenedRuntime> {
  return openRuntime(config, service, {
    startEmbedded: async (c) => {
      const store = await startEmbeddedS3({
        directory: join(c.dataDir, 's3'),
        credentialFile: embeddedS3CredentialFile(c.dataDir),
        bucket: c.s3.bucket,
        port,
        ...(host ? { host } : {}),
        ...(supervision ? { supervision } : {}),
      });
      onEmbedded?.(store);
      return store;
    },
  });
}

/**
 * A runtime on a store of its own for one run (a benchmark, a local validation): the embedded
 * store in a new temporary folder, unless `env` sets `S3_ENDPOINT`; the bucket is `env.S3_BUCKET`
 * or `bucket`. The rest of the configuration comes from `env` (default `process.env`). `close`
 * stops the store and removes the folder.
 */
export async function openScratchRuntime(
  service: string,
  { bucket, env = process.env }: { bucket: string; env?: NodeJS.ProcessEnv },
): Promise<OpenedRuntime> {
  const directory = await mkdtemp(join(tmpdir(), `trainyard-${service}-`));
  const remove = () => rm(directory, { recursive: true, force: true });
  try {
    const config = loadConfig({
      ...env,
      TRAINYARD_DATA_DIR: directory,
      S3_BUCKET: env.S3_BUCKET ?? bucket,
    });
    const runtime = await openLocalRuntime(config, service);
    return {
      ...runtime,
      async close() {
        await runtime.close();
        await remove();
      },
    };
  } catch (error) {
    await remove();
    throw error;
  }
}
