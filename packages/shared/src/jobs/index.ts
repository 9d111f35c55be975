export * from './defaults';
export * from './event-log';
export * from './fold';
