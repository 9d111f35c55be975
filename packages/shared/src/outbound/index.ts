export * from './addresses';
export * from './allow-list';
export * from './errors';
export * from './guard';
