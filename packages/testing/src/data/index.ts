export * from './illustrations';
export * from './mnist';
export * from './raw-tables';
export * from './sotu';
export * from './spam';
export * from './tables';
export * from './zip';
