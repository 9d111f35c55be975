import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface TrainingNetworkProps {
  /** Availability zones to spread GPU instances over (more zones, more spot pools). Default: 2. */
  readonly maxAzs?: number;
}

/**
 * The VPC the training instances run in: public subnets only and no NAT gateway, because a NAT
 * gateway bills about $33 a month per zone even when nothing trains. Instances get public IPs
 * for outbound traffic (ECR, CloudWatch Logs), and a security group that accepts nothing inbound.
 * S3 traffic goes through a free gateway endpoint.
 */
export class TrainingNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: TrainingNetworkProps = {}) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: props.maxAzs ?? 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'Instances', {
      vpc: this.vpc,
      description: 'Trainyard training instances: no inbound, any outbound',
      allowAllOutbound: true,
    });
  }
}
