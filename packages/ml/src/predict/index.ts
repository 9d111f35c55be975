// Predicting lives in `@trainyard/predict`; this is its S3 loader for the trainer's side.
export * from './load';
