import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { Api } from './api';
import { Inference } from './inference';
import { Storage } from './storage';
import { Training } from './training/training';

export interface TrainyardStackProps extends StackProps {
  /** How long function, job and access logs are kept. Default: one month. */
  readonly logRetention?: logs.RetentionDays;
  /** Memory of the inference function. Default: 3008 MiB. */
  readonly inferenceMemoryMiB?: number;
  /** Inference instances kept warm (billed while idle). Default: 0. */
  readonly inferenceProvisionedConcurrency?: number;
}

/** The whole platform in one account and region: storage, API, inference, training. */
export class TrainyardStack extends Stack {
  readonly storage: Storage;
  readonly training: Training;
  readonly api: Api;
  readonly inference: Inference;

  constructor(scope: Construct, id: string, props: TrainyardStackProps = {}) {
    super(scope, id, props);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.storage = new Storage(this, 'Storage');
    const { bucket } = this.storage;
    this.training = new Training(this, 'Training', { bucket, logRetention });
    this.api = new Api(this, 'Api', {
      bucket,
      logRetention,
      jobQueue: this.training.queue.jobQueue,
      jobDefinition: this.training.job.jobDefinition,
    });
    this.inference = new Inference(this, 'Inference', {
      bucket,
      logRetention,
      memoryMiB: props.inferenceMemoryMiB,
      provisionedConcurrency: props.inferenceProvisionedConcurrency,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Management API' });
    new CfnOutput(this, 'InferenceUrl', {
      value: this.inference.url,
      description: 'Inference function URL',
    });
    new CfnOutput(this, 'BucketName', {
      value: bucket.bucketName,
      description: 'S3_BUCKET for `npm run keys` against this deployment',
    });
    new CfnOutput(this, 'TrainingJobQueue', { value: this.training.queue.jobQueue.jobQueueArn });
  }
}
