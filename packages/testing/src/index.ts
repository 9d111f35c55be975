export * from './data';
export * from './s3';
