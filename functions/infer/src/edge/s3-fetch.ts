import { DependencyError, NotFoundError } from '@trainyard/shared/portable';
import { AwsClient } from 'aws4fetch';
import type { z } from 'zod';

/** Where the edge build reads S3 (from the Worker's environment). */
export interface EdgeS3Config {
  /** `https://s3.us-east-1.amazonaws.com`, a MinIO or the embedded store's URL (path-style). */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** `false`: `https://<bucket>.<endpoint host>/<key>` (AWS's virtual-hosted style). Default true. */
  readonly forcePathStyle?: boolean;
}

/**
 * The reads the inference function makes of the bucket (models, API keys, the readiness check),
 * as SigV4-signed `fetch` (aws4fetch: a few KB, Web Crypto only), for runtimes without the AWS SDK:
 * Cloudflare Workers, Deno, browsers. Path-style URLs by default, so MinIO and the embedded store
 * work too.
 * The same method names and results as `Storage`, which it stands in for there.
 */
export class FetchStorage {
  private readonly aws: AwsClient;
  private readonly base: string;

  constructor(readonly config: EdgeS3Config) {
    this.aws = new AwsClient({
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}),
      service: 's3',
      region: config.region,
    });
    const endpoint = new URL(config.endpoint);
    this.base =
      config.forcePathStyle === false
        ? `${endpoint.protocol}//${config.bucket}.${endpoint.host}/`
        : `${endpoint.origin}/${config.bucket}/`;
  }

  private async send(method: 'GET' | 'HEAD', key: string): Promise<Response> {
    const url = this.base + key.split('/').map(encodeURIComponent).join('/');
    let response: Response;
    try {
      response = await this.aws.fetch(url, { method });
    } catch (error) {
      throw new DependencyError(`S3 endpoint unreachable during ${method} of ${key}`, {
        code: 's3_unreachable',
        cause: error,
      });
    }
    if (response.ok || response.status === 404) return response;
    await response.body?.cancel();
    throw new DependencyError(`S3 answered ${response.status} to ${method} ${key}`, {
      code: 's3_error',
    });
  }

  /** Whether the bucket answers within `timeoutMs` (a signed HEAD of it). */
  async check(timeoutMs = 2000): Promise<{ ok: boolean; ms: number; error?: string }> {
    const started = Date.now();
    try {
      const response = await Promise.race([
        this.aws.fetch(this.config.forcePathStyle === false ? this.base : this.base.slice(0, -1), {
          method: 'HEAD',
        }),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), timeoutMs),
        ),
      ]);
      return response.ok
        ? { ok: true, ms: Date.now() - started }
        : { ok: false, ms: Date.now() - started, error: `http_${response.status}` };
    } catch (error) {
      return { ok: false, ms: Date.now() - started, error: (error as Error).name };
    }
  }

  /** `{etag, size}` of an object, or undefined when there is none. */
  async head(
    key: string,
  ): Promise<
    { size: number; etag: string | undefined; contentType: string | undefined } | undefined
  > {
    const response = await this.send('HEAD', key);
    if (response.status === 404) return undefined;
    return {
      etag: response.headers.get('etag') ?? undefined,
      size: Number(response.headers.get('content-length') ?? 0),
      contentType: response.headers.get('content-type') ?? undefined,
    };
  }

  async tryGetBytes(key: string): Promise<Uint8Array | undefined> {
    const response = await this.send('GET', key);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    return new Uint8Array(await response.arrayBuffer());
  }

  async getBytes(key: string): Promise<Uint8Array> {
    const bytes = await this.tryGetBytes(key);
    if (!bytes) throw new NotFoundError(`No object ${key}`, { code: 'object_not_found' });
    return bytes;
  }

  async tryGetJson<S extends z.ZodType>(key: string, schema: S): Promise<z.output<S> | undefined> {
    const bytes = await this.tryGetBytes(key);
    return bytes && schema.parse(JSON.parse(new TextDecoder().decode(bytes)));
  }

  async getJson<S extends z.ZodType>(key: string, schema: S): Promise<z.output<S>> {
    return schema.parse(JSON.parse(new TextDecoder().decode(await this.getBytes(key))));
  }
}
