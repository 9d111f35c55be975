export * from './tfjs-manifest';
