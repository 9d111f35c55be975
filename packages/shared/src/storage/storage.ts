import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { z } from 'zod';
import { ConflictError, DependencyError, NotFoundError, TrainyardError } from '../errors';

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly etag: string | undefined;
  readonly lastModified: Date | undefined;
}

export interface ListPage {
  readonly objects: ObjectInfo[];
  /** Common prefixes when listing with a delimiter ("folders"). */
  readonly prefixes: string[];
  readonly nextToken: string | undefined;
}

export interface UploadOptions {
  readonly contentType?: string;
  /** Bytes per part once the body is over one part (S3's minimum is 5 MiB). Default 8 MiB. */
  readonly partSize?: number;
  readonly onProgress?: (loadedBytes: number) => void;
}

/** Status code of an SDK error, without matching on its message text. */
function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatus(error) === 404;
}

/** Errors where the S3 endpoint itself could not be reached. */
function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ENOTFOUND' ||
    code === 'ETIMEDOUT' ||
    code === 'EHOSTUNREACH'
  );
}

/**
 * Typed access to the one bucket: JSON parsed by zod schemas, streams, multipart, listing,
 * presigned URLs. Works against AWS S3, MinIO and the embedded server (path-style, no
 * server-specific features).
 */
export class Storage {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
  ) {}

  private async call<T>(what: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof TrainyardError) throw error;
      if (isUnreachable(error)) {
        throw new DependencyError(`S3 endpoint unreachable during ${what} of ${key}`, {
          code: 's3_unreachable',
          cause: error,
        });
      }
      throw error;
    }
  }

  /**
   * Whether the endpoint answers for the bucket within `timeoutMs` (a HEAD of the bucket), for
   * readiness checks: `{ok, ms}`, with the error's name when it does not.
   */
  async check(timeoutMs = 2000): Promise<{ ok: boolean; ms: number; error?: string }> {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), {
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
      return { ok: true, ms: ms() };
    } catch (error) {
      const e = error as { code?: string; name?: string };
      return { ok: false, ms: ms(), error: e.code ?? e.name ?? 'unknown' };
    }
  }

  async putJson(key: string, value: unknown): Promise<void> {
    await this.putBytes(key, JSON.stringify(value), 'application/json');
  }

  /** Reads and validates a JSON object; `NotFoundError` when the key does not exist. */
  async getJson<S extends z.ZodType>(key: string, schema: S): Promise<z.output<S>> {
    const value = await this.tryGetJson(key, schema);
    if (value === undefined) throw new NotFoundError(`No object at ${key}`);
    return value;
  }

  /** Like `getJson`, but `undefined` when the key does not exist. */
  async tryGetJson<S extends z.ZodType>(key: string, schema: S): Promise<z.output<S> | undefined> {
    const bytes = await this.tryGetBytes(key);
    if (bytes === undefined) return undefined;
    const parsed = schema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    if (!parsed.success) {
      throw new TrainyardError(
        `Stored object ${key} does not match its schema: ${parsed.error.message}`,
      );
    }
    return parsed.data;
  }

  /**
   * Reads a JSON object with its ETag, for a later `putJsonIf`: `undefined` when the key does not
   * exist. Throws like `tryGetJson`.
   */
  async tryGetJsonTagged<S extends z.ZodType>(
    key: string,
    schema: S,
  ): Promise<{ value: z.output<S>; etag: string } | undefined> {
    const out = await this.call('get', key, async () => {
      try {
        const got = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        return { bytes: await got.Body!.transformToByteArray(), etag: got.ETag ?? '' };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
    if (out === undefined) return undefined;
    const parsed = schema.safeParse(JSON.parse(Buffer.from(out.bytes).toString('utf8')));
    if (!parsed.success) {
      throw new TrainyardError(
        `Stored object ${key} does not match its schema: ${parsed.error.message}`,
      );
    }
    return { value: parsed.data, etag: out.etag };
  }

  /**
   * Writes `value` to `key` only if the object is still what the caller read: with `etag`, only
   * while the object has that ETag (`If-Match`); with `undefined`, only while there is no object
   * (`If-None-Match: *`). Answers `false`, writing nothing, when another writer got there first
   * (412 PreconditionFailed, 409 ConditionalRequestConflict when two conditional writes race, or
   * 404 when an `If-Match` object was deleted). Needs conditional writes: AWS S3 (since 2024),
   * MinIO and the embedded store have them.
   */
  async putJsonIf(key: string, value: unknown, etag: string | undefined): Promise<boolean> {
    try {
      await this.call('conditional put', key, () =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: JSON.stringify(value),
            ContentType: 'application/json',
            ...(etag === undefined ? { IfNoneMatch: '*' } : { IfMatch: etag }),
          }),
        ),
      );
      return true;
    } catch (error) {
      const status = httpStatus(error);
      if (status === 412 || status === 409 || (etag !== undefined && isNotFound(error))) {
        return false;
      }
      throw error;
    }
  }

  async putBytes(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    await this.call('put', key, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ...(contentType ? { ContentType: contentType } : {}),
        }),
      ),
    );
  }

  async getBytes(key: string): Promise<Uint8Array> {
    const bytes = await this.tryGetBytes(key);
    if (bytes === undefined) throw new NotFoundError(`No object at ${key}`);
    return bytes;
  }

  async tryGetBytes(key: string): Promise<Uint8Array | undefined> {
    return this.call('get', key, async () => {
      try {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        return await out.Body!.transformToByteArray();
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  /** A stream of the object's bytes (optionally a byte range, inclusive, as in HTTP). */
  async getStream(key: string, range?: { start: number; end: number }): Promise<Readable> {
    return this.call('get', key, async () => {
      try {
        const out = await this.client.send(
          new GetObjectCommand({
            Bucket: this.bucket,
            Key: key,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
        );
        return out.Body as Readable;
      } catch (error) {
        if (isNotFound(error)) throw new NotFoundError(`No object at ${key}`);
        throw error;
      }
    });
  }

  /**
   * Streams `body` to `key` without holding it in memory: one PUT when small, a multipart upload
   * (aborted on failure, so no parts are left behind) when larger than one part.
   */
  async upload(
    key: string,
    body: Readable | Uint8Array | string,
    options: UploadOptions = {},
  ): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ...(options.contentType ? { ContentType: options.contentType } : {}),
      },
      partSize: options.partSize ?? 8 * 1024 * 1024,
      queueSize: 4,
      leavePartsOnError: false,
    });
    if (options.onProgress) {
      const onProgress = options.onProgress;
      upload.on('httpUploadProgress', (p) => onProgress(p.loaded ?? 0));
    }
    await this.call('upload', key, () => upload.done());
  }

  async head(
    key: string,
  ): Promise<
    { size: number; etag: string | undefined; contentType: string | undefined } | undefined
  > {
    return this.call('head', key, async () => {
      try {
        const out = await this.client.send(
          new HeadObjectCommand({ Bucket: this.bucket, Key: key }),
        );
        return { size: out.ContentLength ?? 0, etag: out.ETag, contentType: out.ContentType };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  /** One page of a listing, in key order. */
  async listPage(
    prefix: string,
    options: { token?: string; startAfter?: string; limit?: number; delimiter?: string } = {},
  ): Promise<ListPage> {
    return this.call('list', prefix, async () => {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(options.token ? { ContinuationToken: options.token } : {}),
          ...(options.startAfter ? { StartAfter: options.startAfter } : {}),
          ...(options.limit ? { MaxKeys: options.limit } : {}),
          ...(options.delimiter ? { Delimiter: options.delimiter } : {}),
        }),
      );
      return {
        objects: (out.Contents ?? []).map((o) => ({
          key: o.Key!,
          size: o.Size ?? 0,
          etag: o.ETag,
          lastModified: o.LastModified,
        })),
        prefixes: (out.CommonPrefixes ?? []).map((p) => p.Prefix!),
        nextToken: out.IsTruncated ? out.NextContinuationToken : undefined,
      };
    });
  }

  /** Every object under `prefix`, page by page, in key order. */
  async *list(prefix: string, options: { startAfter?: string } = {}): AsyncGenerator<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.listPage(prefix, {
        ...(token ? { token } : {}),
        ...(options.startAfter && !token ? { startAfter: options.startAfter } : {}),
      });
      yield* page.objects;
      token = page.nextToken;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    await this.call('delete', key, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    );
  }

  /** Deletes every object under `prefix`; returns how many. */
  async deletePrefix(prefix: string): Promise<number> {
    let count = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const objects = batch.map((Key) => ({ Key }));
      batch = [];
      const out = await this.call('delete', prefix, () =>
        this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: objects, Quiet: true },
          }),
        ),
      );
      if (out.Errors?.length) {
        const first = out.Errors[0]!;
        throw new TrainyardError(`Could not delete ${first.Key}: ${first.Code} ${first.Message}`);
      }
      count += objects.length;
    };
    for await (const object of this.list(prefix)) {
      batch.push(object.key);
      if (batch.length === 1000) await flush();
    }
    await flush();
    return count;
  }

  /**
   * A URL a client can `PUT` the object's bytes to, without credentials. With `contentLength`,
   * the length is part of the signature: a server that checks signatures (AWS S3, MinIO) refuses
   * a body of any other length. With `ifNoneMatch`, the header `If-None-Match: *` is signed too:
   * the client must send it, and the store refuses (412 PreconditionFailed) a PUT once the key
   * holds an object (S3's conditional writes, docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html),
   * so writing an object at the key (even an empty one) makes the URL unusable.
   */
  presignPut(
    key: string,
    options: {
      expiresIn?: number;
      contentType?: string;
      contentLength?: number;
      ifNoneMatch?: boolean;
    } = {},
  ): Promise<string> {
    const signed = new Set<string>();
    if (options.contentLength !== undefined) signed.add('content-length');
    if (options.ifNoneMatch) signed.add('if-none-match');
    return getSignedUrl(
      this.client,
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ...(options.contentType ? { ContentType: options.contentType } : {}),
        ...(options.contentLength !== undefined ? { ContentLength: options.contentLength } : {}),
        ...(options.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
      }),
      {
        expiresIn: options.expiresIn ?? 3600,
        ...(signed.size ? { signableHeaders: signed } : {}),
      },
    );
  }

  /**
   * Copies `from` to `to` inside the bucket, server-side (a multipart copy past 5 GiB, S3's limit
   * for one copy). With `ifMatch`, only while `from` still has that ETag: a `ConflictError`
   * (`source_changed`) when it was replaced meanwhile. Servers that ignore `CopySourceIfMatch`
   * (s3rver) are covered by looking at `from` again after the copy; `to` may then hold either
   * version, so a caller treats it as unusable after `source_changed`.
   */
  async copy(from: string, to: string, options: { ifMatch?: string; size?: number } = {}) {
    const source = `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}`;
    const condition = options.ifMatch ? { CopySourceIfMatch: options.ifMatch } : {};
    const PART = 1024 ** 3;
    try {
      await this.call('copy', from, async () => {
        if ((options.size ?? 0) <= 5 * PART) {
          await this.client.send(
            new CopyObjectCommand({
              Bucket: this.bucket,
              Key: to,
              CopySource: source,
              ...condition,
            }),
          );
          return;
        }
        const uploadId = await this.createMultipartUpload(to);
        try {
          const parts = [];
          for (let start = 0, n = 1; start < options.size!; start += PART, n++) {
            const end = Math.min(start + PART, options.size!) - 1;
            const out = await this.client.send(
              new UploadPartCopyCommand({
                Bucket: this.bucket,
                Key: to,
                UploadId: uploadId,
                PartNumber: n,
                CopySource: source,
                CopySourceRange: `bytes=${start}-${end}`,
                ...condition,
              }),
            );
            parts.push({ partNumber: n, etag: out.CopyPartResult?.ETag ?? '' });
          }
          await this.completeMultipartUpload(to, uploadId, parts);
        } catch (error) {
          await this.abortMultipartUpload(to, uploadId).catch(() => {});
          throw error;
        }
      });
      if (options.ifMatch && (await this.head(from))?.etag !== options.ifMatch) {
        throw new ConflictError(`${from} changed while it was being copied`, {
          code: 'source_changed',
        });
      }
    } catch (error) {
      if (
        httpStatus(error) === 412 ||
        (error as { name?: string })?.name === 'PreconditionFailed'
      ) {
        throw new ConflictError(`${from} changed while it was being copied`, {
          code: 'source_changed',
          cause: error,
        });
      }
      throw error;
    }
  }

  /** A URL a client can `GET` the object from, without credentials. */
  presignGet(key: string, options: { expiresIn?: number } = {}): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: options.expiresIn ?? 3600,
    });
  }

  /** Starts a multipart upload that a client fills through presigned part URLs. */
  async createMultipartUpload(key: string, contentType?: string): Promise<string> {
    const out = await this.call('multipart create', key, () =>
      this.client.send(
        new CreateMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          ...(contentType ? { ContentType: contentType } : {}),
        }),
      ),
    );
    return out.UploadId!;
  }

  presignUploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    options: { expiresIn?: number } = {},
  ): Promise<string> {
    return getSignedUrl(
      this.client,
      new UploadPartCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
      }),
      { expiresIn: options.expiresIn ?? 3600 },
    );
  }

  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: ReadonlyArray<{ partNumber: number; etag: string }>,
  ): Promise<void> {
    await this.call('multipart complete', key, () =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: [...parts]
              .sort((a, b) => a.partNumber - b.partNumber)
              .map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })),
          },
        }),
      ),
    );
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    await this.call('multipart abort', key, () =>
      this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
      ),
    );
  }
}
