import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * A log group with an explicit retention, deleted with the stack: logs are for operating the
 * platform, and the default (never expire) bills them forever.
 */
export function retainedLogGroup(
  scope: Construct,
  id: string,
  retention: logs.RetentionDays,
): logs.LogGroup {
  return new logs.LogGroup(scope, id, { retention, removalPolicy: RemovalPolicy.DESTROY });
}
