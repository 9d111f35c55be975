export * from './admission';
export * from './concurrency';
export * from './latency-lanes';
export * from './loop-delay';
export * from './process-admission';
