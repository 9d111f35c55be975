import { renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { BackendWasm, setThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

/** The Emscripten module factory of tfjs-backend-wasm's threaded SIMD build (a CommonJS file). */
type ThreadedFactory = (config: {
  locateFile: (path: string) => string;
  mainScriptUrlOrBlob: string;
}) => Promise<ThreadedModule>;

interface ThreadedModule {
  cwrap: (name: string, returnType: string | null, argTypes: string[]) => unknown;
  tfjs?: unknown;
  PThread: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] };
}

/** Folder of the Emscripten glue (`wasm-out/`), beside the package's `dist/`. */
function wasmOutDir(): string {
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '..', 'wasm-out');
}

/** Folder holding the `.wasm` binaries that `setWasmPaths` points at: the package's `dist/`. */
export function wasmDistDir(): string {
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}

/**
 * Writes the pthread worker script to a file. tfjs-backend-wasm only knows how to hand it to a
 * browser (a Blob URL), which Node's `worker_threads` cannot start; Node needs a file path. The
 * newlines inside the script's strings were turned into real ones by the template literal it ships
 * in, so they are escaped back, exactly as tfjs does for the Blob.
 */
function writeWorkerScript(): string {
  const { wasmWorkerContents } = require(
    join(wasmOutDir(), 'tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as { wasmWorkerContents: string };
  const script = wasmWorkerContents.replace(/\n/g, '\\n');
  const path = join(os.tmpdir(), `trainyard-tfjs-wasm-worker-${version_wasm}.cjs`);
  // Written beside and renamed, so that another process starting at the same time never reads
  // half a file; the name is per version, so processes share one file instead of leaving many.
  writeFileSync(`${path}.${process.pid}`, script);
  renameSync(`${path}.${process.pid}`, path);
  return path;
}

/**
 * Instantiates the threaded SIMD wasm module in Node and returns a `BackendWasm` running XNNPACK on
 * `threads` threads. tfjs-backend-wasm switches threads off in Node (tfjs issue 3830) and, in C++,
 * caps the pool at half of `navigator.hardwareConcurrency` (it assumes 2 hyperthreads per core);
 * in Node that count comes from `os.cpus()`, so on a 2-core machine it would always be 1. While the
 * module initializes, `os.cpus()` reports twice the real cores so the cap becomes the real count.
 */
export async function createThreadedWasmBackend(threads: number): Promise<BackendWasm> {
  const out = wasmOutDir();
  const factory = require(join(out, 'tfjs-backend-wasm-threaded-simd.js')) as ThreadedFactory;
  const workerPath = writeWorkerScript();
  const binary = join(wasmDistDir(), 'tfjs-backend-wasm-threaded-simd.wasm');
  const realCpus = os.cpus;
  os.cpus = () => {
    const cpus = realCpus();
    return [...cpus, ...cpus];
  };
  let module: ThreadedModule;
  try {
    module = await factory({
      locateFile: (path) =>
        path.endsWith('.worker.js')
          ? workerPath
          : path.endsWith('.wasm')
            ? binary
            : join(out, path),
      mainScriptUrlOrBlob: join(out, 'tfjs-backend-wasm-threaded-simd.js'),
    });
  } finally {
    os.cpus = realCpus;
  }
  // The same bridge tfjs-backend-wasm's own `init()` installs.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  setThreadsCount(threads);
  const backend = new BackendWasm(
    module as unknown as ConstructorParameters<typeof BackendWasm>[0],
  );
  // XNNPACK's pool threads live as long as the backend and wait for work; Emscripten holds a
  // reference on their workers, which would keep Node from exiting when the program is done.
  for (const worker of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) {
    worker.unref();
  }
  return backend;
}
