import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendUnavailableError } from './errors';
import { registerWasmKernels } from './kernels/register';
import { usesRelaxedSimd } from './simd';
import { createThreadedWasmBackend, wasmDistDir } from './wasm-threads';

/** tfjs-backend-wasm registers itself at this priority; ours keeps it. */
const WASM_PRIORITY = 2;

export interface WasmOptions {
  /**
   * XNNPACK threads. Default: the cores Node may use (`os.availableParallelism()`). 1 uses the
   * single-threaded SIMD build, which is also the fallback when the threaded one cannot start.
   */
  readonly threads?: number;
}

/** How the wasm backend runs, for the job's events. */
export interface WasmInfo {
  readonly simd: boolean;
  /**
   * Whether Trainyard's own kernels run their relaxed-SIMD build (fused multiply-adds): where the
   * runtime has relaxed SIMD (Node ≥ 22; Node 20 only with `--experimental-wasm-relaxed-simd`).
   */
  readonly relaxedSimd: boolean;
  readonly threads: number;
  /** Why it runs on fewer threads than asked, if it does. */
  readonly note?: string;
}

let pathsSet = false;

/**
 * Makes `wasm` the active backend: binaries from node_modules (nothing is fetched), the threaded
 * SIMD build where more than one thread is wanted, and the training kernels tfjs-backend-wasm
 * lacks (see `kernels/`). Safe to call again; a backend already running is kept.
 */
export async function loadWasm(options: WasmOptions = {}): Promise<WasmInfo> {
  const threads = Math.max(1, Math.floor(options.threads ?? os.availableParallelism()));
  registerWasmKernels();
  if (!pathsSet) {
    // A folder prefix with a trailing slash: tfjs appends the binary's file name to it.
    setWasmPaths(`${wasmDistDir()}/`);
    pathsSet = true;
  }
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  let note: string | undefined;
  const alreadyRunning = tf.engine().registry.wasm !== undefined;
  if (!alreadyRunning && simd && threads > 1) {
    const original = tf.findBackendFactory('wasm');
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', () => createThreadedWasmBackend(threads), WASM_PRIORITY);
    if (!(await tf.setBackend('wasm'))) {
      note = 'the threaded wasm build did not start; running on one thread';
      tf.removeBackend('wasm');
      if (original) tf.registerBackend('wasm', original, WASM_PRIORITY);
    }
  }
  if (!(await tf.setBackend('wasm')))
    throw new BackendUnavailableError('the wasm backend did not start');
  return {
    simd,
    relaxedSimd: simd && usesRelaxedSimd(),
    threads: getThreadsCount(),
    ...(note ? { note } : {}),
  };
}
