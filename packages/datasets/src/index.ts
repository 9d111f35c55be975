export * from './csv-values';
export * from './export-csv';
export * from './limits';
export * from './service';
export * from './validate';
export * from './zip-files';
