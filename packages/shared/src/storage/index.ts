export * from './bucket';
export * from './keys';
export * from './list-records';
export * from './s3-client';
export * from './storage';
