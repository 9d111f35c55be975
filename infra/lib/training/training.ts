import type { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { GpuJobQueue } from './gpu-job-queue';
import { TrainingNetwork } from './network';
import { TrainJobDefinition } from './train-job-definition';

export interface TrainingProps {
  readonly bucket: s3.IBucket;
  readonly logRetention: logs.RetentionDays;
  /** Default: g4dn.xlarge and g5.xlarge (see `GpuJobQueue`). */
  readonly instanceTypes?: readonly ec2.InstanceType[];
  /** Default: 16 vCPUs, four spot instances at once. */
  readonly maxSpotVcpus?: number;
  /** Default: 8 vCPUs, two on-demand instances at once. */
  readonly maxOnDemandVcpus?: number;
  /** Default: 12 hours per attempt. */
  readonly jobTimeout?: Duration;
}

/** Fine-tuning on AWS Batch: network, GPU queue, and the `jobs/train` job definition. */
export class Training extends Construct {
  readonly network: TrainingNetwork;
  readonly queue: GpuJobQueue;
  readonly job: TrainJobDefinition;

  constructor(scope: Construct, id: string, props: TrainingProps) {
    super(scope, id);
    this.network = new TrainingNetwork(this, 'Network');
    this.queue = new GpuJobQueue(this, 'GpuQueue', {
      vpc: this.network.vpc,
      securityGroup: this.network.securityGroup,
      instanceTypes: props.instanceTypes,
      maxSpotVcpus: props.maxSpotVcpus,
      maxOnDemandVcpus: props.maxOnDemandVcpus,
    });
    this.job = new TrainJobDefinition(this, 'TrainJob', {
      bucket: props.bucket,
      logRetention: props.logRetention,
      timeout: props.jobTimeout,
    });
  }
}
