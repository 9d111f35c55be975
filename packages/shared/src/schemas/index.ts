export * from './api-keys';
export * from './common';
