import { fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, DependencyError } from '@trainyard/shared';
import { type EmbeddedS3Credential, ensureEmbeddedS3Credential } from './embedded-s3-credential';

export interface EmbeddedS3 {
  /** `http://127.0.0.1:<port>`, for `S3_ENDPOINT`. */
  readonly endpoint: string;
  /** The credential it takes (SigV4), for `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`. */
  readonly credential: EmbeddedS3Credential;
  close(): Promise<void>;
}

export interface EmbeddedS3Options {
  /** Where objects are kept, so that they survive a restart. */
  readonly directory: string;
  readonly bucket: string;
  /**
   * Where the per-install credential is kept (made on first start, mode 0600; its folder 0700).
   * Every process of the install signs with it; nothing else can read or write the store.
   */
  readonly credentialFile: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** A loopback address (default 127.0.0.1); any other is refused: the store is loopback only. */
  readonly host?: string;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost)$/;

const script = fileURLToPath(new URL('./embedded-s3-process.ts', import.meta.url));

/**
 * Starts the embedded S3-compatible server (s3rver, in a child process) on loopback, keeping its
 * objects under `directory` and creating `bucket`. It speaks the S3 REST API the AWS SDK uses:
 * objects, paginated listing, multipart uploads and presigned URLs, and only to requests signed
 * (SigV4) with the install's credential (`credentialFile`). The child ends with its parent.
 */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  const host = options.host && LOOPBACK.test(options.host) ? options.host : '127.0.0.1';
  const credential = await ensureEmbeddedS3Credential(options.credentialFile);
  const child = fork(script, [], {
    execArgv: ['--openssl-legacy-provider', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const answer = await new Promise<{ port?: number; error?: string; code?: string }>(
    (resolve, reject) => {
      child.once('message', (message) => resolve(message as { port?: number; error?: string }));
      child.once('error', reject);
      child.once('exit', (code) =>
        reject(
          new DependencyError(`embedded S3 server exited with code ${code} before listening`, {
            code: 'embedded_s3_unavailable',
          }),
        ),
      );
      child.send({
        directory: options.directory,
        bucket: options.bucket,
        port: options.port,
        host,
        credential,
      });
    },
  );
  if (answer.error !== undefined || answer.port === undefined) {
    await exited;
    if (answer.code === 'EADDRINUSE') {
      throw new ConfigError(
        `EMBEDDED_S3_PORT ${options.port} on ${host} is in use: stop what holds it, or set EMBEDDED_S3_PORT to a free port`,
        { param: 'EMBEDDED_S3_PORT' },
      );
    }
    throw new DependencyError(`embedded S3 server failed to start: ${answer.error}`, {
      code: 'embedded_s3_unavailable',
    });
  }
  return {
    endpoint: `http://${host}:${answer.port}`,
    credential,
    async close() {
      if (child.exitCode === null && child.connected) child.send('close');
      await exited;
    },
  };
}

/** Where an install keeps its embedded store's credential: `<data dir>/s3-credential.json`. */
export function embeddedS3CredentialFile(dataDir: string): string {
  return join(dataDir, 's3-credential.json');
}
