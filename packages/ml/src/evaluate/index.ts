export * from './evaluate';
export * from './metrics';
