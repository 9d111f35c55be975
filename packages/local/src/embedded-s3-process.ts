/**
 * The embedded S3 server's own process. s3rver encrypts ListObjectsV2 continuation tokens with
 * DES, which Node 17+ only offers under `--openssl-legacy-provider`; running it apart keeps that
 * flag out of the platform's processes (and its file I/O off their event loops).
 * Started by `startEmbeddedS3` over IPC: it receives the options, answers with the bound port,
 * and exits when asked or when its parent goes away.
 *
 * s3rver checks no signature, so it listens nowhere: a verifying front on loopback
 * (`SigV4Verifier`) answers every request, refuses what this install's credential did not sign
 * (403, as S3 does), and hands the rest to s3rver's request handler in this process.
 */
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import S3rver from 's3rver';
import Account from 's3rver/lib/models/account.js';
import { type FilesystemStore, makeObjectWritesAtomic } from './embedded-s3-atomic';
import { ConditionalWrites, type ConditionFailure } from './embedded-s3-conditions';
import type { EmbeddedS3Credential } from './embedded-s3-credential';
import { MultipartGuard } from './embedded-s3-multipart';
import { type Refusal, SigV4Verifier } from './embedded-s3-verifier';

interface Options {
  directory: string;
  bucket: string;
  port: number;
  host: string;
  credential: EmbeddedS3Credential;
}

/** An S3 error answer; the connection closes, since the request's body may not have been read. */
function answerError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', connection: 'close' }).end(body);
}

/**
 * CORS as infra/lib/storage.ts gives the real bucket, for every bucket of the store: the console
 * (another origin: the API's port) PUTs large dataset files straight to presigned URLs and reads
 * each part's ETag. Any origin may; the signature, not CORS, is the access control. A preflight
 * carries no signature by design, so it is answered here, before the signature check. Answers
 * true when it answered the request (a preflight).
 */
function cors(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.headers.origin === undefined) return false;
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-expose-headers', 'ETag');
  res.setHeader('vary', 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
  const method = req.headers['access-control-request-method'];
  if (req.method !== 'OPTIONS' || method === undefined) return false;
  if (!['GET', 'PUT', 'HEAD'].includes(method.toUpperCase())) {
    refuse(res, { code: 'AccessDenied', message: `CORSResponse: ${method} is not allowed` });
    return true;
  }
  res
    .writeHead(200, {
      'access-control-allow-methods': 'GET, PUT, HEAD',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '',
      'access-control-max-age': '3600',
    })
    .end();
  return true;
}

function refuse(res: ServerResponse, refusal: Refusal): void {
  answerError(res, 403, refusal.code, refusal.message);
}

function failCondition(res: ServerResponse, failure: ConditionFailure): void {
  answerError(res, failure.status, failure.code, failure.message);
}

// Ctrl-C in a terminal reaches every process of the group. The platform closes this server last,
// after the job runner has stopped its trainers and recorded that in S3; its parent going away
// ('disconnect') still ends it.
process.on('SIGINT', () => {});

process.once('message', async (options: Options) => {
  try {
    await mkdir(options.directory, { recursive: true, mode: 0o700 });
    const s3rver = new S3rver({
      silent: true,
      directory: options.directory,
      // Path-style only (`http://host:port/bucket/key`), as MinIO is addressed too.
      vhostBuckets: false,
      configureBuckets: [{ name: options.bucket }],
    });
    // s3rver's own (partial) check knows one built-in key pair: ours replaces it.
    Account.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
    Account.DUMMY_ACCOUNT.createKeyPair(
      options.credential.accessKeyId,
      options.credential.secretAccessKey,
    );
    // A PUT replaces an object whole, as S3's do: s3rver alone overwrites it in place.
    makeObjectWritesAtomic(s3rver.store as unknown as FilesystemStore);
    await s3rver.configureBuckets();
    const handle = s3rver.callback();
    const conditions = new ConditionalWrites((bucket, key) =>
      s3rver.store.getMetadata(bucket, key).then(
        (metadata) => metadata.etag,
        () => undefined,
      ),
    );
    const store = s3rver.store as unknown as {
      getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    };
    const multipart = new MultipartGuard((bucket, uploadId) =>
      join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId),
    );
    const pass = (req: IncomingMessage, res: ServerResponse) =>
      multipart.answer(req).then(
        (answer) => {
          if (!answer)
            conditions.handle(
              req,
              res,
              () => handle(req, res),
              (failure) => failCondition(res, failure),
            );
          else if (answer.status === 204) res.writeHead(204).end();
          else answerError(res, answer.status, answer.code, answer.message);
        },
        (error: Error) => answerError(res, 500, 'InternalError', error.message),
      );
    let verifier: SigV4Verifier | undefined;
    const server = createServer((req, res) => {
      if (verifier!.knowsHost(req) && cors(req, res)) return;
      verifier!.check(req).then(
        (refusal) => (refusal ? refuse(res, refusal) : pass(req, res)),
        () => refuse(res, { code: 'AccessDenied', message: 'Request could not be verified' }),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    verifier = new SigV4Verifier(options.credential, [
      `${options.host}:${port}`,
      `localhost:${port}`,
    ]);
    process.send!({ port });
    const stop = () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).finally(() => process.exit(0));
    process.on('message', (message) => message === 'close' && void stop());
    process.on('disconnect', () => void stop());
  } catch (error) {
    process.send!({ error: (error as Error).message, code: (error as { code?: string }).code });
    process.exit(1);
  }
});
