export * from './base-model-lookup';
export * from './builtin-bases';
export * from './tfjs-manifest';
export * from './topology-layers';
