export * from './builtin-bases';
export * from './tfjs-manifest';
