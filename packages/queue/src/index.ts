export * from './batch';
export * from './child-env';
export * from './create';
export * from './job-queue';
export * from './local';
export * from './stored';
export * from './webhooks';
