import { S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../config';

/** One S3 client for the process, pointed at the configured (or embedded) endpoint. */
export function createS3Client(s3: S3Config): S3Client {
  return new S3Client({
    region: s3.region,
    ...(s3.endpoint ? { endpoint: s3.endpoint, forcePathStyle: s3.forcePathStyle } : {}),
    ...(s3.credentials ? { credentials: s3.credentials } : {}),
    // Only compute/verify checksums where S3 requires them: MinIO and older S3-compatible
    // servers reject or ignore the newer default CRC headers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
