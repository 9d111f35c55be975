export * from './api-keys';
export * from './common';
export * from './dataset-manifest';
export * from './datasets';
export * from './job-events';
export * from './jobs';
export * from './models';
export * from './search-space';
