/** The TensorFlow.js backends Trainyard can run on, fastest first. */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

export type BackendName = (typeof BACKEND_NAMES)[number];

/** What configuration may ask for (`TFJS_BACKEND`): one backend, or `auto` for the first that works. */
export type BackendPreference = 'auto' | BackendName;
