export * from './encode';
export * from './merge';
export * from './raw';
export * from './split';
