export * from './calibration';
export * from './estimate';
export * from './model-shape';
export * from './schema';
