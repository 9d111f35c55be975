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
import S3rver from 's3rver';
import Account from 's3rver/lib/models/account.js';
import type { EmbeddedS3Credential } from './embedded-s3-credential';
import { type Refusal, SigV4Verifier } from './embedded-s3-verifier';

interface Options {
  directory: string;
  bucket: string;
  port: number;
  host: string;
  credential: EmbeddedS3Credential;
}

/**
 * The bucket's CORS rule, as infra/lib/storage.ts gives the real bucket: the console (another
 * origin: the API's port) PUTs large dataset files straight to presigned URLs and reads each
 * part's ETag. The signature, not CORS, is the access control.
 */
const CORS = `<CORSConfiguration><CORSRule>
<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>
<AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>
<MaxAgeSeconds>3600</MaxAgeSeconds></CORSRule></CORSConfiguration>`;

/** A browser's CORS preflight: unsigned by design (S3 answers it from the bucket's CORS rule). */
function isPreflight(req: IncomingMessage): boolean {
  return (
    req.method === 'OPTIONS' &&
    req.headers.origin !== undefined &&
    req.headers['access-control-request-method'] !== undefined
  );
}

function refuse(res: ServerResponse, refusal: Refusal): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${refusal.message}</Message></Error>`;
  res.writeHead(403, { 'content-type': 'application/xml', connection: 'close' }).end(body);
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
      configureBuckets: [{ name: options.bucket, configs: [CORS] }],
    });
    // s3rver's own (partial) check knows one built-in key pair: ours replaces it.
    Account.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
    Account.DUMMY_ACCOUNT.createKeyPair(
      options.credential.accessKeyId,
      options.credential.secretAccessKey,
    );
    await s3rver.configureBuckets();
    const handle = s3rver.callback();
    let verifier: SigV4Verifier | undefined;
    const server = createServer((req, res) => {
      // A preflight carries no signature; it reaches s3rver, which answers it from CORS only.
      if (isPreflight(req) && verifier!.knowsHost(req)) return void handle(req, res);
      verifier!.check(req).then(
        (refusal) => (refusal ? refuse(res, refusal) : handle(req, res)),
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
