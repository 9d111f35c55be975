export * from './api-keys';
export * from './common';
export * from './dataset-manifest';
export * from './datasets';
export * from './search-space';
