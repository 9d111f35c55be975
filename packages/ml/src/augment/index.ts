export * from './augment';
