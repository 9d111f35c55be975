// `@trainyard/shared/portable`: what runs in any JavaScript runtime (browsers, Cloudflare Workers,
// Deno, Node) with no `node:` module, no native library and no AWS SDK: the error root, the model
// input spec (`preprocess.json`) and predict schemas, written numbers, the TensorFlow.js manifest
// check, and image formats and errors. `@trainyard/predict` imports only this.
export * from './errors';
export * from './images/errors';
export * from './images/formats';
export * from './images/sniff';
export * from './models/tfjs-manifest';
export * from './schemas/number-format';
export * from './schemas/predict';
export * from './schemas/preprocess';
export * from './tables/written-number';
