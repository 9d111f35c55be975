import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface StorageProps {
  /**
   * What happens to the bucket when the stack is deleted. Default: `RETAIN`, so that tearing the
   * stack down never deletes trained models and datasets (DEPLOY.md says how to empty it).
   */
  readonly removalPolicy?: RemovalPolicy;
  /** How long an overwritten or deleted object stays recoverable. Default: 30 days. */
  readonly noncurrentVersionRetention?: Duration;
  /** After how long an unfinished multipart upload is aborted. Default: 7 days. */
  readonly abortIncompleteUploadsAfter?: Duration;
}

/** The one bucket: datasets, job specs and events, checkpoints, models, API key hashes. */
export class Storage extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // Versioning is the retention of models: a model deleted or overwritten by mistake (or by a
      // bad deploy) can be restored for `noncurrentVersionRetention`.
      versioned: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'abort-incomplete-multipart-uploads',
          // Dataset uploads are client-driven multipart uploads through presigned URLs; parts of
          // an abandoned one would otherwise be billed forever.
          abortIncompleteMultipartUploadAfter:
            props.abortIncompleteUploadsAfter ?? Duration.days(7),
        },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: props.noncurrentVersionRetention ?? Duration.days(30),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
      // Browsers upload datasets straight to S3 through presigned URLs; the signature, not CORS,
      // is the access control. ETag is exposed because completing a multipart upload needs it.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.PUT, s3.HttpMethods.HEAD],
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3600,
        },
      ],
    });
  }
}
