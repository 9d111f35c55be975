import { type ChildProcess, fork } from 'node:child_process';
import { resolve as absolutePath, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, DependencyError } from '@trainyard/shared';
import { type EmbeddedS3Credential, ensureEmbeddedS3Credential } from './embedded-s3-credential';

export interface EmbeddedS3 {
  /** `http://127.0.0.1:<port>`, for `S3_ENDPOINT`; the same across restarts. */
  readonly endpoint: string;
  /** The server process's pid: a new one after each restart. */
  readonly pid: number | undefined;
  /** Times the server was restarted after it exited on its own. */
  readonly restarts: number;
  /** The credential it takes (SigV4), for `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`. */
  readonly credential: EmbeddedS3Credential;
  close(): Promise<void>;
}

export interface EmbeddedS3Supervision {
  /** Restarts allowed within `windowMs` before giving up. Default 5. */
  readonly maxRestarts?: number;
  /** Default 60 s. */
  readonly windowMs?: number;
  /** First wait before a restart, doubled for each restart in the window (at most 5 s). Default 100 ms. */
  readonly baseDelayMs?: number;
  /** Told of each restart (to log it). */
  readonly onRestart?: (info: { code: number | null; restart: number; delayMs: number }) => void;
  /**
   * Told when the server keeps dying (more than `maxRestarts` in the window) or cannot be
   * started again: the store is gone for good, and the platform should exit non-zero.
   */
  readonly onGiveUp?: (error: DependencyError) => void;
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
  /** 0 picks a free port (kept for restarts). */
  readonly port: number;
  /** A loopback address (default 127.0.0.1); any other is refused: the store is loopback only. */
  readonly host?: string;
  /** Restart the server when it exits on its own (default), with backoff. */
  readonly supervision?: EmbeddedS3Supervision;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost)$/;

/**
 * The server's script: the TypeScript source beside this file, run through tsx (in the repo), or,
 * when this module is bundled into `dist/` (the standalone CLI, see packages/cli/scripts/bundle.ts),
 * the bundled `embedded-s3-process.js` beside the bundle, run by plain Node.
 */
const fromSource = import.meta.url.endsWith('.ts');
const script = fileURLToPath(
  new URL(fromSource ? './embedded-s3-process.ts' : './embedded-s3-process.js', import.meta.url),
);
const scriptExecArgv = fromSource ? ['--import', 'tsx'] : [];
/**
 * Where the source's child runs: the repository root, where `--import tsx` resolves whatever
 * folder the platform or the CLI was started from (it failed with ERR_MODULE_NOT_FOUND outside
 * the repository). The data directory is sent absolute.
 */
const scriptCwd = fromSource ? fileURLToPath(new URL('../../..', import.meta.url)) : undefined;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<number | null>;
}

/** Starts one server process and waits until it listens. */
async function spawnServer(
  options: EmbeddedS3Options,
  host: string,
  port: number,
  credential: EmbeddedS3Credential,
): Promise<Running> {
  const child = fork(script, [], {
    execArgv: ['--openssl-legacy-provider', ...scriptExecArgv],
    ...(scriptCwd ? { cwd: scriptCwd } : {}),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
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
        directory: absolutePath(options.directory),
        bucket: options.bucket,
        port,
        host,
        credential,
      });
    },
  );
  if (answer.error !== undefined || answer.port === undefined) {
    await exited;
    if (answer.code === 'EADDRINUSE') {
      throw new ConfigError(
        `EMBEDDED_S3_PORT ${port} on ${host} is in use: stop what holds it, or set EMBEDDED_S3_PORT to a free port`,
        { param: 'EMBEDDED_S3_PORT' },
      );
    }
    throw new DependencyError(`embedded S3 server failed to start: ${answer.error}`, {
      code: 'embedded_s3_unavailable',
    });
  }
  return { child, port: answer.port, exited };
}

/**
 * Starts the embedded S3-compatible server (s3rver, in a child process) on loopback, keeping its
 * objects under `directory` and creating `bucket`. It speaks the S3 REST API the AWS SDK uses:
 * objects, paginated listing, multipart uploads and presigned URLs, and only to requests signed
 * (SigV4) with the install's credential (`credentialFile`). The child ends with its parent.
 *
 * Supervised: when the server exits on its own (killed, crashed), it is started again on the same
 * port after 100 ms, 200 ms, … (at most 5 s); past `maxRestarts` in a minute, or when it cannot be
 * started again, `onGiveUp` is told.
 */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  const host = options.host && LOOPBACK.test(options.host) ? options.host : '127.0.0.1';
  const credential = await ensureEmbeddedS3Credential(options.credentialFile);
  const {
    maxRestarts = 5,
    windowMs = 60_000,
    baseDelayMs = 100,
    onRestart,
    onGiveUp,
  } = options.supervision ?? {};
  let current = await spawnServer(options, host, options.port, credential);
  const port = current.port;
  let closing = false;
  let restarts = 0;
  const recent: number[] = [];

  const supervise = async (running: Running) => {
    let code = await running.exited;
    while (!closing) {
      const now = Date.now();
      recent.push(now);
      while (recent[0]! < now - windowMs) recent.shift();
      if (recent.length > maxRestarts) {
        onGiveUp?.(
          new DependencyError(
            `the embedded S3 server exited ${recent.length} times within ${windowMs / 1000} s (last code ${code}); giving up`,
            { code: 'embedded_s3_unavailable' },
          ),
        );
        return;
      }
      const delayMs = Math.min(baseDelayMs * 2 ** (recent.length - 1), 5000);
      onRestart?.({ code, restart: restarts + 1, delayMs });
      await sleep(delayMs);
      if (closing) return;
      try {
        current = await spawnServer(options, host, port, credential);
        restarts++;
        if (closing) {
          current.child.send('close');
          return;
        }
        void supervise(current);
        return;
      } catch (error) {
        code = null;
        if (error instanceof ConfigError) {
          onGiveUp?.(
            new DependencyError(`the embedded S3 server could not start again: ${error.message}`, {
              code: 'embedded_s3_unavailable',
              cause: error,
            }),
          );
          return;
        }
      }
    }
  };
  void supervise(current);

  return {
    endpoint: `http://${host}:${port}`,
    get pid() {
      return current.child.pid;
    },
    get restarts() {
      return restarts;
    },
    credential,
    async close() {
      closing = true;
      const { child, exited } = current;
      if (child.exitCode === null && child.connected) child.send('close');
      await exited;
    },
  };
}

/** Where an install keeps its embedded store's credential: `<data dir>/s3-credential.json`. */
export function embeddedS3CredentialFile(dataDir: string): string {
  return join(dataDir, 's3-credential.json');
}
