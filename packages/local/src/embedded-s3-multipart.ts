import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';

/** What the guard answers itself: a status, and for errors S3's code and message. */
export type MultipartAnswer =
  | { readonly status: 204 }
  | { readonly status: 404; readonly code: 'NoSuchUpload'; readonly message: string };

/**
 * Multipart uploads as S3 keeps them, where s3rver does not: an upload id ends with its
 * CompleteMultipartUpload or AbortMultipartUpload, after which its part URLs write nothing
 * (404 NoSuchUpload; docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html). s3rver has no
 * route for AbortMultipartUpload and creates a missing upload's folder on UploadPart, so a
 * presigned part URL kept writing after `complete` or a delete, uncounted. `uploadDir` is where
 * s3rver keeps an upload's parts (its store's `uploads` resource of the bucket, then the id).
 */
export class MultipartGuard {
  constructor(private readonly uploadDir: (bucket: string, uploadId: string) => string) {}

  /**
   * For a request naming an `uploadId`: AbortMultipartUpload (DELETE) removes the upload and is
   * answered 204; UploadPart (PUT) and CompleteMultipartUpload (POST) of an upload that does not
   * exist are answered 404 NoSuchUpload. Anything else is left to s3rver (undefined).
   */
  async answer(req: IncomingMessage): Promise<MultipartAnswer | undefined> {
    const url = new URL(req.url ?? '/', 'http://embedded');
    const uploadId = url.searchParams.get('uploadId');
    if (uploadId === null) return undefined;
    const bucket = decodeURIComponent(url.pathname.split('/')[1] ?? '');
    const missing = {
      status: 404,
      code: 'NoSuchUpload',
      message:
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    } as const;
    // Ids are s3rver's own (hex); anything else names no upload (and no path outside its folder).
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(uploadId) || !/^[a-z0-9.-]{3,63}$/.test(bucket))
      return missing;
    const dir = this.uploadDir(bucket, uploadId);
    if (req.method === 'DELETE') {
      await rm(dir, { recursive: true, force: true });
      return { status: 204 };
    }
    if ((req.method === 'PUT' || req.method === 'POST') && !existsSync(dir)) return missing;
    return undefined;
  }
}
