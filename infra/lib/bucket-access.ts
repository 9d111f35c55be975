import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { BucketPrefix } from './bucket-prefixes';

/** What one principal may do under which key prefixes of the bucket. */
export interface PrefixAccess {
  /** Prefixes it may get (and head) objects under. Default: none. */
  readonly read?: readonly BucketPrefix[];
  /** Prefixes it may put, delete and multipart-upload objects under. Default: none. */
  readonly write?: readonly BucketPrefix[];
}

/**
 * Grants object access under the given prefixes only, and listing only of those prefixes
 * (`s3:prefix` condition), instead of the bucket-wide `grantReadWrite`.
 */
export function grantPrefixes(
  bucket: s3.IBucket,
  grantee: iam.IGrantable,
  access: PrefixAccess,
): void {
  const read = access.read ?? [];
  const write = access.write ?? [];
  const listed = [...new Set([...read, ...write])].sort();
  const add = (statement: iam.PolicyStatement) =>
    grantee.grantPrincipal.addToPrincipalPolicy(statement);
  add(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': listed.map((p) => `${p}*`) } },
    }),
  );
  if (read.length > 0) {
    add(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: read.map((p) => bucket.arnForObjects(`${p}*`)),
      }),
    );
  }
  if (write.length > 0) {
    add(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: write.map((p) => bucket.arnForObjects(`${p}*`)),
      }),
    );
  }
}
