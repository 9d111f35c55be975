// `@trainyard/shared/images`: a subpath of its own, so that importing `@trainyard/shared` does not
// load sharp's native library (the CLI, the queue, the API's routes without datasets).
export * from './bmp';
export * from './errors';
export * from './exact-png';
export * from './formats';
export * from './read';
export * from './sniff';
