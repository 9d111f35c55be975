import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from './errors';
import { BACKEND_NAMES, type BackendName, type BackendPreference } from './names';
import { loadTensorflow, loadTensorflowGpu } from './native';
import { loadWasm, type WasmOptions } from './wasm';

/** One backend tried: it ran, or why not. */
export type BackendAttempt =
  | { readonly backend: BackendName; readonly ok: true; readonly detail?: string }
  | { readonly backend: BackendName; readonly ok: false; readonly reason: string };

/** The backend that runs, and what was tried before it (in order), for the job's events. */
export interface BackendChoice {
  readonly backend: BackendName;
  /** Every backend tried, the chosen one last. */
  readonly attempts: readonly BackendAttempt[];
}

/** Starts one backend and makes it TensorFlow.js's active one; throws the reason it cannot. */
export type BackendLoader = () => Promise<string | undefined>;

export interface SelectBackendOptions {
  /** From config (`TFJS_BACKEND`). Default `auto`: the first of `BACKEND_NAMES` that starts. */
  readonly preference?: BackendPreference;
  readonly wasm?: WasmOptions;
  /** Replaces how a backend is started; tests use it to play a machine with other packages. */
  readonly loaders?: Partial<Record<BackendName, BackendLoader>>;
}

function defaultLoaders(wasm: WasmOptions): Record<BackendName, BackendLoader> {
  return {
    'tensorflow-gpu': async () => {
      await loadTensorflowGpu();
      return undefined;
    },
    tensorflow: async () => {
      await loadTensorflow();
      return undefined;
    },
    wasm: async () => {
      const info = await loadWasm(wasm);
      const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
      const simd = info.simd ? `SIMD${info.relaxedSimd ? ' (relaxed)' : ''}` : 'no SIMD';
      return `${simd}, ${threads}${info.note ? ` (${info.note})` : ''}`;
    },
    cpu: async () => {
      if (!(await tf.setBackend('cpu')))
        throw new BackendUnavailableError('the cpu backend did not start');
      return undefined;
    },
  };
}

/** The optional npm package a backend needs, named when it is missing. */
const PACKAGE_OF: Readonly<Record<BackendName, string | undefined>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: undefined,
  cpu: undefined,
};

const resolvable = (name: string): boolean => {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
};

function reasonOf(error: unknown, backend: BackendName): string {
  const message = error instanceof Error ? error.message : String(error);
  // A missing optional package is the usual case: say so plainly instead of a long stack. Node
  // marks a module it cannot find by the error's code; whether it is the package itself (not a
  // file it needs) is asked of the resolver.
  const code = (error as { code?: unknown } | null)?.code;
  const pkg = PACKAGE_OF[backend];
  if ((code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && pkg && !resolvable(pkg)) {
    return `${pkg} is not installed`;
  }
  return message.split('\n')[0] ?? message;
}

/**
 * Chooses and starts the TensorFlow.js backend: with `auto`, `tensorflow-gpu` (tfjs-node-gpu loads
 * and sees a GPU) → `tensorflow` (tfjs-node) → `wasm` → `cpu`; with a named backend, only that one.
 * Returns which one runs and why each one before it did not. Throws `BackendUnavailableError` when
 * none of those allowed starts.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendChoice> {
  const preference = options.preference ?? 'auto';
  const loaders = { ...defaultLoaders(options.wasm ?? {}), ...options.loaders };
  const candidates = preference === 'auto' ? BACKEND_NAMES : [preference];
  const attempts: BackendAttempt[] = [];
  for (const backend of candidates) {
    try {
      const detail = await loaders[backend]();
      attempts.push({ backend, ok: true, ...(detail ? { detail } : {}) });
      return { backend, attempts };
    } catch (error) {
      attempts.push({ backend, ok: false, reason: reasonOf(error, backend) });
    }
  }
  const why = attempts.map((a) => `${a.backend}: ${a.ok ? 'ok' : a.reason}`).join('; ');
  throw new BackendUnavailableError(`No TensorFlow.js backend could start (${why})`, attempts);
}

/** One line for logs and job events: `wasm (SIMD, 2 threads); not tensorflow-gpu: …`. */
export function describeChoice(choice: BackendChoice): string {
  const chosen = choice.attempts.at(-1);
  const head = `${choice.backend}${chosen?.ok && chosen.detail ? ` (${chosen.detail})` : ''}`;
  const skipped = choice.attempts
    .filter((a): a is Extract<BackendAttempt, { ok: false }> => !a.ok)
    .map((a) => `not ${a.backend}: ${a.reason}`);
  return [head, ...skipped].join('; ');
}
