import type { Core } from './core';
import { TrainyardError } from './errors';
import type { CreatedDataset } from './types';

/** Bytes sent so far of a file's `total`. */
export interface UploadProgress {
  readonly loaded: number;
  readonly total: number;
}

export interface UploadOptions {
  /**
   * Called as the upload advances: once at 0, after each multipart part, and at the end
   * (`loaded === total`).
   */
  readonly onProgress?: (progress: UploadProgress) => void;
  /** Multipart parts uploaded at once. Default 4. */
  readonly concurrency?: number;
  /**
   * `auto` (default): through the API when the file is within its cap (`api_upload.max_bytes`),
   * else the presigned route the dataset was created with (one PUT, or multipart parts).
   * `api`: always through the API; `presigned`: always the presigned route.
   */
  readonly route?: 'auto' | 'api' | 'presigned';
  readonly signal?: AbortSignal;
}

/** How a file went up; `parts` (multipart only) are what `complete` needs. */
export interface UploadResult {
  readonly route: 'api' | 'put' | 'multipart';
  readonly parts?: Array<{ part_number: number; etag: string }>;
}

/**
 * Uploads `file` for a dataset: `target` is the answer of `datasets.create` (which holds the
 * presigned URLs), or a dataset id (through the API only; a file over its cap is a 413
 * `PayloadTooLargeError`). Does not validate: call `datasets.complete` with the result's parts.
 * Throws `TrainyardError` when the file's size does not match the multipart parts it was
 * created for (`size_bytes`), or when S3 answers a part without an ETag.
 */
export async function uploadFile(
  core: Core,
  target: CreatedDataset | string,
  file: Blob,
  options: UploadOptions = {},
): Promise<UploadResult> {
  const total = file.size;
  const progress = (loaded: number) => options.onProgress?.({ loaded, total });
  progress(0);
  const route = options.route ?? 'auto';
  const viaApi =
    typeof target === 'string' ||
    route === 'api' ||
    (route === 'auto' && total <= target.api_upload.max_bytes);
  if (viaApi) {
    const url =
      typeof target === 'string'
        ? `/v1/datasets/${encodeURIComponent(target)}/file`
        : target.api_upload.url;
    await putBody(core, url, file, { auth: true, signal: options.signal });
    progress(total);
    return { route: 'api' };
  }
  const upload = target.upload;
  if (upload.method === 'put') {
    // upload.headers (If-None-Match: *) are part of the URL's signature.
    await putBody(core, upload.url, file, {
      auth: false,
      signal: options.signal,
      headers: upload.headers ?? {},
    });
    progress(total);
    return { route: 'put' };
  }
  const expected = Math.max(1, Math.ceil(total / upload.part_size));
  if (expected !== upload.parts.length) {
    throw new TrainyardError(
      `The file has ${total} bytes, which makes ${expected} parts of ${upload.part_size} bytes; the dataset was created for ${upload.parts.length} parts: create it with size_bytes ${total}`,
      { code: 'upload_size_mismatch', param: 'size_bytes' },
    );
  }
  const parts = await uploadParts(core, file, upload, options, progress);
  return { route: 'multipart', parts };
}

async function putBody(
  core: Core,
  url: string,
  body: Blob,
  options: { auth: boolean; signal: AbortSignal | undefined; headers?: Record<string, string> },
): Promise<Response> {
  const response = await core.request(url, {
    method: 'PUT',
    body,
    auth: options.auth,
    headers: { 'content-type': 'application/octet-stream', ...options.headers },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await response.body?.cancel().catch(() => {});
  return response;
}

async function uploadParts(
  core: Core,
  file: Blob,
  upload: Extract<CreatedDataset['upload'], { method: 'multipart' }>,
  options: UploadOptions,
  progress: (loaded: number) => void,
): Promise<Array<{ part_number: number; etag: string }>> {
  const etags: Array<{ part_number: number; etag: string }> = [];
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let next = 0;
  let loaded = 0;
  const worker = async () => {
    while (next < upload.parts.length && !signal.aborted) {
      const part = upload.parts[next++]!;
      const start = (part.part_number - 1) * upload.part_size;
      const chunk = file.slice(start, Math.min(start + upload.part_size, file.size));
      const response = await putBody(core, part.url, chunk, { auth: false, signal });
      const etag = response.headers.get('etag');
      if (!etag) {
        throw new TrainyardError(
          `S3 answered part ${part.part_number} without an ETag header (in a browser, the bucket's CORS rules must expose ETag)`,
          { code: 'missing_etag' },
        );
      }
      etags.push({ part_number: part.part_number, etag });
      loaded += chunk.size;
      progress(loaded);
    }
  };
  const workers = Array.from(
    { length: Math.min(options.concurrency ?? 4, upload.parts.length) },
    () =>
      worker().catch((error) => {
        stop.abort(error);
        throw error;
      }),
  );
  await Promise.all(workers);
  return etags.sort((a, b) => a.part_number - b.part_number);
}
