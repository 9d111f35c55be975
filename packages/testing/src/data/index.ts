export * from './mnist';
export * from './spam';
export * from './tables';
export * from './zip';
