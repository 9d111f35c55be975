import './context';

export * from './admission';
export * from './api-key-auth';
export * from './body-bounds';
export * from './error-handler';
export * from './idempotency';
export * from './listen';
export * from './openapi-app';
export * from './request-context';
export * from './route-query';
export * from './validation-hook';
