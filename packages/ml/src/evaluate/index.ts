export * from './calibration';
export * from './evaluate';
export * from './metrics';
export * from './predictions';
export * from './threshold-sweep';
