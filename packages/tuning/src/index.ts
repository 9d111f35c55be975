export * from './factory';
export * from './prng';
export * from './pruners';
export * from './samplers';
export * from './space';
export * from './study';
export * from './test-functions';
export * from './types';
