export * from './s3-model-io';
