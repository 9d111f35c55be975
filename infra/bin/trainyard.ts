import { App } from 'aws-cdk-lib';
import { TrainyardStack } from '../lib/trainyard-stack';

// Environment-agnostic: `cdk synth` needs no account, and `cdk deploy` takes the account and
// region from the usual AWS environment (AWS_PROFILE, AWS_REGION, ...).
const app = new App();
new TrainyardStack(app, 'Trainyard', {
  description: 'Trainyard: fine-tune and serve neural networks (S3, Lambda, AWS Batch GPUs)',
});
