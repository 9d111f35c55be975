import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { grantPrefixes } from './bucket-access';
import { bucketPrefixes as p } from './bucket-prefixes';
import { s3Environment } from './function-environment';
import { imageAssetOptions } from './image-asset-options';
import { retainedLogGroup } from './log-group';
import { REPO_ROOT } from './repo-root';

export interface InferenceProps {
  readonly bucket: s3.IBucket;
  readonly logRetention: logs.RetentionDays;
  /**
   * Memory of the function. Lambda gives CPU in proportion (1 vCPU per 1769 MiB, up to 6 at
   * 10240), and models are cached in memory. Default: 3008 MiB.
   */
  readonly memoryMiB?: number;
  /**
   * Instances kept initialized, so that the first requests skip loading libtensorflow and the
   * model. Billed while idle (DEPLOY.md has the price). Default: 0.
   */
  readonly provisionedConcurrency?: number;
  /** Default: 60 s, room for a cold start that loads a model from S3. */
  readonly timeout?: Duration;
}

/**
 * The inference function (`functions/infer`) as a container-image Lambda function with
 * tfjs-node, behind a Function URL.
 *
 * A Function URL rather than an HTTP API: prediction is the latency-sensitive path (no gateway
 * hop, no per-request gateway charge) and a cold start that loads a large model can pass the
 * HTTP API's 30 s limit, while a Function URL allows the function's own timeout. The app checks
 * the API key itself, as locally, so the URL's auth type is NONE.
 */
export class Inference extends Construct {
  readonly function: lambda.DockerImageFunction;
  /** The alias the URL and provisioned concurrency point at, moved on every deploy. */
  readonly alias: lambda.Alias;
  readonly url: string;

  constructor(scope: Construct, id: string, props: InferenceProps) {
    super(scope, id);
    this.function = new lambda.DockerImageFunction(this, 'Function', {
      code: lambda.DockerImageCode.fromImageAsset(
        REPO_ROOT,
        imageAssetOptions('infra/docker/infer.Dockerfile'),
      ),
      architecture: lambda.Architecture.X86_64,
      memorySize: props.memoryMiB ?? 3008,
      timeout: props.timeout ?? Duration.seconds(60),
      logGroup: retainedLogGroup(this, 'Logs', props.logRetention),
      environment: {
        ...s3Environment(props.bucket),
        TFJS_BACKEND: 'tensorflow',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    grantPrefixes(props.bucket, this.function, {
      // It loads models and verifies API keys; it never writes.
      read: [p.models, p.apiKeys],
    });

    const provisioned = props.provisionedConcurrency ?? 0;
    this.alias = new lambda.Alias(this, 'Live', {
      aliasName: 'live',
      version: this.function.currentVersion,
      ...(provisioned > 0 ? { provisionedConcurrentExecutions: provisioned } : {}),
    });
    const functionUrl = this.alias.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.BUFFERED,
    });
    this.url = functionUrl.url;
  }
}
