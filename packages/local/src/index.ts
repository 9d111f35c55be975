export * from './embedded-s3';
export * from './local-api-key';
export * from './open-runtime';
export * from './platform';
