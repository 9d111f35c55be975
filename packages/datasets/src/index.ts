export * from './csv-values';
export * from './limits';
export * from './service';
export * from './validate';
