/**
 * The embedded S3 server's own process. s3rver encrypts ListObjectsV2 continuation tokens with
 * DES, which Node 17+ only offers under `--openssl-legacy-provider`; running it apart keeps that
 * flag out of the platform's processes (and its file I/O off their event loops).
 * Started by `startEmbeddedS3` over IPC: it receives the options, answers with the bound port,
 * and exits when asked or when its parent goes away.
 */
import { mkdir } from 'node:fs/promises';
import S3rver from 's3rver';

interface Options {
  directory: string;
  bucket: string;
  port: number;
  host: string;
}

// Ctrl-C in a terminal reaches every process of the group. The platform closes this server last,
// after the job runner has stopped its trainers and recorded that in S3; its parent going away
// ('disconnect') still ends it.
process.on('SIGINT', () => {});

process.once('message', async (options: Options) => {
  try {
    await mkdir(options.directory, { recursive: true });
    const server = new S3rver({
      address: options.host,
      port: options.port,
      silent: true,
      directory: options.directory,
      // Path-style only (`http://host:port/bucket/key`), as MinIO is addressed too.
      vhostBuckets: false,
      configureBuckets: [{ name: options.bucket }],
    });
    const address = await server.run();
    process.send!({ port: address.port });
    const stop = () => server.close().finally(() => process.exit(0));
    process.on('message', (message) => message === 'close' && void stop());
    process.on('disconnect', () => void stop());
  } catch (error) {
    process.send!({ error: (error as Error).message, code: (error as { code?: string }).code });
    process.exit(1);
  }
});
