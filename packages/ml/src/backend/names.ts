/** The TensorFlow.js backends Trainyard can run on, fastest first. */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

export type BackendName = (typeof BACKEND_NAMES)[number];

/** What configuration may ask for (`TFJS_BACKEND`): one backend, or `auto` for the first that works. */
export type BackendPreference = 'auto' | BackendName;

/** The name TensorFlow.js itself registers for each of ours (both native packages register `tensorflow`). */
export const TFJS_BACKEND_OF: Readonly<Record<BackendName, string>> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};
