// Serves the Worker bundle in real workerd (Miniflare, from npm: the workerd binary comes as
// @cloudflare/workerd-<platform>, nothing is downloaded at run time).
import type { S3Config } from '@trainyard/shared';
import { Miniflare } from 'miniflare';
import { buildEdge } from './build-edge';

export interface EdgeServer {
  readonly url: string;
  /** The Worker bundle's size in bytes (minified, uncompressed). */
  readonly bundleBytes: number;
  close(): Promise<void>;
}

/**
 * Builds the Worker and serves it on `host:port` (0: a free port) in workerd, with the S3
 * endpoint, bucket and credentials of `s3` and `env`'s other variables (INFER_*, LOG_LEVEL, …) as
 * its bindings.
 */
export async function startEdgeServer(
  s3: S3Config,
  { port = 0, host = '127.0.0.1', env = {} as Record<string, string> } = {},
): Promise<EdgeServer> {
  const { path, bytes } = await buildEdge();
  const bindings: Record<string, string> = {
    ...env,
    S3_BUCKET: s3.bucket,
    S3_REGION: s3.region,
    ...(s3.endpoint ? { S3_ENDPOINT: s3.endpoint } : {}),
    ...(s3.credentials
      ? {
          AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
          ...(s3.credentials.sessionToken
            ? { AWS_SESSION_TOKEN: s3.credentials.sessionToken }
            : {}),
        }
      : {}),
  };
  const mf = new Miniflare({
    modules: true,
    scriptPath: path,
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
    bindings,
    host,
    port,
  });
  const url = (await mf.ready).toString().replace(/\/$/, '');
  return { url, bundleBytes: bytes, close: () => mf.dispose() };
}
