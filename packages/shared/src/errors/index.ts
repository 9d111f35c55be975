export * from './errors';
export { registerSchemaTree } from './unknown-keys';
export * from './zod';
