import { join } from 'node:path';
import { Aws, Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as batch from 'aws-cdk-lib/aws-batch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { grantPrefixes } from './bucket-access';
import { bucketPrefixes as p } from './bucket-prefixes';
import { s3Environment } from './function-environment';
import { retainedLogGroup } from './log-group';
import { REPO_ROOT } from './repo-root';

export interface ApiProps {
  readonly bucket: s3.IBucket;
  /** The queue and definition the API submits fine-tuning jobs to. */
  readonly jobQueue: batch.IJobQueue;
  readonly jobDefinition: batch.IJobDefinition;
  readonly logRetention: logs.RetentionDays;
  /** Default: 1024 MiB (Lambda's CPU share grows with memory). */
  readonly memoryMiB?: number;
  /** Steady requests per second over the whole API before it answers 429. Default: 50. */
  readonly throttleRate?: number;
  /** Requests allowed in a burst above the rate. Default: 100. */
  readonly throttleBurst?: number;
}

/**
 * The management API (`functions/api`) as a Lambda function behind an HTTP API.
 *
 * HTTP API rather than a Function URL: it throttles (a leaked key cannot scale the function and
 * the bill without bound), writes access logs, and takes a custom domain later. Its limits fit
 * this API: requests are small JSON (datasets go straight to S3 through presigned URLs, so the
 * 6 MB Lambda payload limit never binds) and every route is short (starting a job only writes its
 * spec and calls SubmitJob), well inside the 30 s integration timeout.
 */
export class Api extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly httpApi: apigw.HttpApi;
  /** The base URL, `https://<id>.execute-api.<region>.amazonaws.com`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, 'functions/api/src/lambda.ts'),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      // No native dependencies, and Graviton costs 20% less per GB-second.
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMiB ?? 1024,
      // Just under the HTTP API's 30 s integration timeout, so the function, not the gateway,
      // answers a slow request with the platform's error body.
      timeout: Duration.seconds(29),
      logGroup: retainedLogGroup(this, 'Logs', props.logRetention),
      environment: {
        ...s3Environment(props.bucket),
        QUEUE: 'batch',
        BATCH_JOB_QUEUE: props.jobQueue.jobQueueArn,
        BATCH_JOB_DEFINITION: props.jobDefinition.jobDefinitionArn,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        // Bundled with the esbuild in node_modules: synth needs no Docker.
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        // CommonJS dependencies inside an ESM bundle still call require().
        banner:
          "import { createRequire as __trainyardCreateRequire } from 'node:module'; const require = __trainyardCreateRequire(import.meta.url);",
        minify: true,
        sourceMap: true,
        // Bundle the SDK version from the lockfile instead of the one the runtime happens to carry.
        bundleAwsSDK: true,
        // The console reads its stylesheet, script, uPlot and Swagger UI beside the bundle (`assets/`).
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            `mkdir -p "${outputDir}/assets"`,
            `cp "${inputDir}"/functions/api/src/console/assets/*.js "${inputDir}"/functions/api/src/console/assets/*.css "${inputDir}"/node_modules/uplot/dist/uPlot.iife.min.js "${inputDir}"/node_modules/uplot/dist/uPlot.min.css "${inputDir}"/node_modules/swagger-ui-dist/swagger-ui-bundle.js "${inputDir}"/node_modules/swagger-ui-dist/swagger-ui.css "${outputDir}/assets/"`,
          ],
        },
      },
    });

    grantPrefixes(props.bucket, this.function, {
      read: [p.auth, p.idempotency, p.projects, p.datasets, p.baseModels, p.jobs, p.models],
      write: [p.auth, p.idempotency, p.projects, p.datasets, p.baseModels, p.jobs, p.models],
    });
    this.grantJobs(props.jobQueue, props.jobDefinition);

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Trainyard management API',
      defaultIntegration: new HttpLambdaIntegration('Lambda', this.function, {
        payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
      }),
      createDefaultStage: false,
    });
    const defaultStage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRate ?? 50, burstLimit: props.throttleBurst ?? 100 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(
          retainedLogGroup(this, 'AccessLogs', props.logRetention),
        ),
      },
    });
    this.url = defaultStage.url;
  }

  /** Submit to this queue with this definition only; stop and describe jobs. */
  private grantJobs(queue: batch.IJobQueue, definition: batch.IJobDefinition): void {
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['batch:SubmitJob'],
        resources: [queue.jobQueueArn, definition.jobDefinitionArn],
      }),
    );
    // TerminateJob and CancelJob can only be scoped to job ARNs, whose ids are not known ahead;
    // this account and region's jobs is the narrowest statement IAM allows.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['batch:TerminateJob', 'batch:CancelJob'],
        resources: [`arn:${Aws.PARTITION}:batch:${Aws.REGION}:${Aws.ACCOUNT_ID}:job/*`],
      }),
    );
    // DescribeJobs and ListJobs support no resource-level permissions at all.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['batch:DescribeJobs', 'batch:ListJobs'],
        resources: ['*'],
      }),
    );
  }
}
