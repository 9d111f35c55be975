export { createApiApp } from './app';
export type { ApiDeps } from './deps';
export { startApiServer } from './node';
