import { Duration, Size } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { grantPrefixes } from '../bucket-access';
import { bucketPrefixes as p } from '../bucket-prefixes';
import { s3Environment } from '../function-environment';
import { imageAssetOptions } from '../image-asset-options';
import { retainedLogGroup } from '../log-group';
import { REPO_ROOT } from '../repo-root';

export interface TrainJobDefinitionProps {
  readonly bucket: s3.IBucket;
  readonly logRetention: logs.RetentionDays;
  /** Longest one attempt may run before Batch stops it. Default: 12 hours. */
  readonly timeout?: Duration;
  /** vCPUs per job. Default: 4, a whole g4dn/g5.xlarge. */
  readonly vcpus?: number;
  /** Memory per job. Default: 14 GiB, what a 16 GiB instance has left after the ECS agent. */
  readonly memory?: Size;
  /** Attempts in all, spot reclaims included. Default: 5. */
  readonly attempts?: number;
}

/**
 * The job definition of `jobs/train` (entrypoint `jobs/train/src/main.ts`, bundled into the
 * image by infra/docker/train.Dockerfile): one GPU, the role and environment to reach the bucket,
 * and a retry strategy that runs a job again only when its spot instance was reclaimed. Every
 * other failure is a bug or a bad spec, which a retry would only repeat at GPU prices. The API
 * submits it with `JOB_ID` set, as an array job when a spec asks for several trials.
 */
export class TrainJobDefinition extends Construct {
  readonly jobDefinition: batch.EcsJobDefinition;
  readonly jobRole: iam.Role;
  readonly image: ecrAssets.DockerImageAsset;

  constructor(scope: Construct, id: string, props: TrainJobDefinitionProps) {
    super(scope, id);
    this.image = new ecrAssets.DockerImageAsset(this, 'Image', {
      directory: REPO_ROOT,
      ...imageAssetOptions('infra/docker/train.Dockerfile'),
    });
    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Trainyard training job: reads datasets and models, writes its job and model',
    });
    grantPrefixes(props.bucket, this.jobRole, {
      // A trained model can be the base of the next job, so models/ is read as well as written.
      read: [p.datasets, p.baseModels, p.models, p.jobs],
      write: [p.jobs, p.models],
    });

    this.jobDefinition = new batch.EcsJobDefinition(this, 'Definition', {
      container: new batch.EcsEc2ContainerDefinition(this, 'Container', {
        image: ecs.ContainerImage.fromDockerImageAsset(this.image),
        cpu: props.vcpus ?? 4,
        memory: props.memory ?? Size.gibibytes(14),
        gpu: 1,
        jobRole: this.jobRole,
        environment: { ...s3Environment(props.bucket), TFJS_BACKEND: 'tensorflow-gpu' },
        logging: ecs.LogDriver.awsLogs({
          streamPrefix: 'train',
          logGroup: retainedLogGroup(this, 'Logs', props.logRetention),
        }),
      }),
      retryAttempts: props.attempts ?? 5,
      retryStrategies: [
        batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.SPOT_INSTANCE_RECLAIMED),
        // Without a match Batch retries anything; this catch-all makes every other failure final.
        batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onReason: '*' })),
      ],
      timeout: props.timeout ?? Duration.hours(12),
      propagateTags: true,
    });
  }
}
