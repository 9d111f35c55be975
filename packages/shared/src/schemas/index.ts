export * from './api-keys';
export * from './common';
export * from './datasets';
