export * from './calibration';
export * from './estimate';
export * from './largest-model';
export * from './model-shape';
export * from './schema';
