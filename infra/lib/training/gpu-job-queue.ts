import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface GpuJobQueueProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  /**
   * GPU instance types to launch. Default: g4dn.xlarge (NVIDIA T4, 16 GB) and g5.xlarge (A10G,
   * 24 GB): one GPU, 4 vCPUs and 16 GiB each, both supported by CUDA 11.2, and two spot pools.
   */
  readonly instanceTypes?: readonly ec2.InstanceType[];
  /** vCPUs the spot environment may run at once (4 per instance). Default: 16. */
  readonly maxSpotVcpus?: number;
  /** vCPUs the on-demand environment may run at once. Default: 8. */
  readonly maxOnDemandVcpus?: number;
}

/**
 * Where training jobs run: a job queue over two managed EC2 compute environments of GPU
 * instances, spot first and on-demand behind it. Both scale to zero when the queue is empty.
 * Batch places a job in the on-demand environment only while the spot one is at its vCPU cap,
 * not when spot capacity is short (DEPLOY.md says how to change the balance).
 */
export class GpuJobQueue extends Construct {
  readonly jobQueue: batch.JobQueue;
  readonly spot: batch.ManagedEc2EcsComputeEnvironment;
  readonly onDemand: batch.ManagedEc2EcsComputeEnvironment;

  constructor(scope: Construct, id: string, props: GpuJobQueueProps) {
    super(scope, id);
    const common = {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [props.securityGroup],
      instanceTypes: [
        ...(props.instanceTypes ?? [
          ec2.InstanceType.of(ec2.InstanceClass.G4DN, ec2.InstanceSize.XLARGE),
          ec2.InstanceType.of(ec2.InstanceClass.G5, ec2.InstanceSize.XLARGE),
        ]),
      ],
      // Not "optimal": that picks CPU instance families, and these jobs need a GPU.
      useOptimalInstanceClasses: false,
      minvCpus: 0,
      // The ECS-optimized GPU AMI: NVIDIA driver and container toolkit installed; its driver
      // runs the image's CUDA 11.2 runtime.
      images: [{ imageType: batch.EcsMachineImageType.ECS_AL2023_NVIDIA }],
      updateToLatestImageVersion: true,
    };
    this.spot = new batch.ManagedEc2EcsComputeEnvironment(this, 'Spot', {
      ...common,
      spot: true,
      maxvCpus: props.maxSpotVcpus ?? 16,
      allocationStrategy: batch.AllocationStrategy.SPOT_PRICE_CAPACITY_OPTIMIZED,
    });
    this.onDemand = new batch.ManagedEc2EcsComputeEnvironment(this, 'OnDemand', {
      ...common,
      spot: false,
      maxvCpus: props.maxOnDemandVcpus ?? 8,
      allocationStrategy: batch.AllocationStrategy.BEST_FIT_PROGRESSIVE,
    });
    this.jobQueue = new batch.JobQueue(this, 'Queue', {
      computeEnvironments: [
        { computeEnvironment: this.spot, order: 1 },
        { computeEnvironment: this.onDemand, order: 2 },
      ],
    });
  }
}
