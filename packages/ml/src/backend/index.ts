export * from './errors';
export * from './names';
export * from './select-backend';
export { loadWasm, type WasmInfo, type WasmOptions } from './wasm';
export { wasmThreadsFor } from './wasm-thread-policy';
