/**
 * The embedded store and runtime opening alone, without the platform (API, inference function,
 * runner): what a tool that only needs storage imports (the CLI's local validation), so that it
 * does not load TensorFlow.js and the functions.
 */
export * from './embedded-s3';
export * from './open-runtime';
