export { type CliConfig, localKeyFile, resolveConfig } from './config';
export { CliExit, EXIT } from './exit';
export { createProgram, exitCodeFor } from './program';
export { validateLocally } from './validate-local';
