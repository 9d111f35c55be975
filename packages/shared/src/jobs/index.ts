export * from './default-architecture';
export * from './defaults';
export * from './event-log';
export * from './fold';
export * from './job-object';
export * from './job-store';
export * from './projections';
export * from './webhook-signature';
