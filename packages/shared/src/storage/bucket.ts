import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { DependencyError } from '../errors';

/** Creates the bucket when it does not exist (embedded server, a fresh MinIO). */
export async function ensureBucket(
  client: S3Client,
  bucket: string,
): Promise<'existed' | 'created'> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return 'existed';
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404) {
      throw new DependencyError(`Cannot reach bucket ${bucket} (HTTP ${status ?? 'no answer'})`, {
        code: 's3_unreachable',
        cause: error,
      });
    }
  }
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return 'created';
}
