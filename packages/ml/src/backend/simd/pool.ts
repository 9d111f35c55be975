import { Worker } from 'node:worker_threads';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { InternalError } from '@trainyard/shared';
import { type SimdKernels, simdKernels, simdModuleAndMemory } from './module';

/**
 * A second thread for Trainyard's own SIMD kernels. With the threaded tfjs-backend-wasm only
 * XNNPACK's operations use its pthread pool; our kernels (the conv filter gradient, the direct
 * convolution) ran on the calling thread alone. That pool is Emscripten's, inside tfjs's C++, with
 * no entry point for other code; Node's own worker pools (and libraries on them) pass messages
 * through the event loop, which a synchronous tfjs kernel cannot wait for, and copy data. So we keep
 * one `worker_threads` Worker that instantiates the same kernels over the same shared heap and runs
 * one kernel call (a slice of the work: pointer offsets into the same tensors) while the calling
 * thread runs the other slice; a control block in a SharedArrayBuffer and Atomics.wait/notify hand
 * calls over in microseconds, and the worker sleeps in Atomics.wait between calls.
 *
 * Control block (Int32 words): 0 request number, 1 number of the request done, 2 status (0 ok,
 * 1 failed), 3 kernel (index in the sorted export names), 4 argument count, 5 calls the worker ran,
 * 6 ready (0 starting, 1 ready, 2 failed to start), 7 error message length, 8 which arguments are
 * 64-bit integers (bit i for argument i), 9 the last request claimed (by the worker, or by the caller
 * when the worker had not started it by the time the caller's own part was done); arguments from byte 64, each 8 bytes (a float64, or a
 * bigint as int64); the error message (UTF-8) from byte 512.
 */
/** The control block's slots, by name (handed to the worker, which reads the same layout). */
const SLOTS = {
  REQUEST: 0,
  DONE: 1,
  STATUS: 2,
  KERNEL: 3,
  COUNT: 4,
  RUNS: 5,
  READY: 6,
  MESSAGE: 7,
  BIGINTS: 8,
  CLAIM: 9,
} as const;
const { REQUEST, DONE, STATUS, KERNEL, COUNT, RUNS, READY, MESSAGE, BIGINTS, CLAIM } = SLOTS;
const ARGS_OFFSET = 64;
const ARGS_LENGTH = 32;
const MESSAGE_OFFSET = 512;
const CONTROL_BYTES = 4096;

/** How long a first call waits for the worker to start before it gives up. */
const START_TIMEOUT_MS = 60_000;
/** Polls of the done word before the caller sleeps: the two slices end at about the same time. */
const SPINS = 20_000;

export class SimdPool {
  private readonly control = new SharedArrayBuffer(CONTROL_BYTES);
  private readonly ctrl = new Int32Array(this.control, 0, 16);
  private readonly args = new Float64Array(this.control, ARGS_OFFSET, ARGS_LENGTH);
  private readonly bigArgs = new BigInt64Array(this.control, ARGS_OFFSET, ARGS_LENGTH);
  private readonly names: string[];
  private readonly kernels: SimdKernels;
  private taken = 0;
  private readonly worker: Worker;
  private died: string | undefined;

  constructor(backend: BackendWasm) {
    const { module, memory } = simdModuleAndMemory(backend);
    this.kernels = simdKernels(backend);
    this.names = Object.keys(this.kernels).sort();
    this.worker = new Worker(new URL('./pool-worker.cjs', import.meta.url), {
      // Plain Node: loaders the process runs with (tsx in development) have nothing to do there.
      execArgv: [],
      workerData: {
        module,
        memory,
        control: this.control,
        argsOffset: ARGS_OFFSET,
        argsLength: ARGS_LENGTH,
        messageOffset: MESSAGE_OFFSET,
        slots: SLOTS,
      },
    });
    // The worker waits for calls as long as the process lives; it must not keep Node running.
    this.worker.unref();
    // A worker that dies (it should not: kernel errors are caught there) is reported by the next
    // call rather than as an uncaught 'error' event. (One that died in the middle of a call, of an
    // error no try/catch sees, would leave that call waiting: these handlers cannot run then.)
    this.worker.on('error', (error) => {
      this.died ??= error.message;
    });
    this.worker.on('exit', (code) => {
      this.died ??= `exited with code ${code}`;
    });
  }

  /**
   * Runs kernel `name` with `workerArgs` (heap byte offsets, sizes, scalars; bigints for i64) on the
   * worker while `main` runs on this thread, and returns when both are done; if the worker has not
   * started its part when `main` returns, this thread runs it (see `setPoolTakeBack`). The two must
   * write to disjoint memory. Throws `main`'s error if it threw, else an InternalError with the worker's
   * message if its call failed (a wasm trap, say) or the worker did not start.
   */
  together(
    name: keyof SimdKernels,
    workerArgs: readonly (number | bigint)[],
    main: () => void,
  ): void {
    const index = this.names.indexOf(name);
    if (index < 0 || workerArgs.length > ARGS_LENGTH) {
      throw new InternalError(`the kernel pool cannot run ${name} with ${workerArgs.length} args`);
    }
    if (this.died) throw new InternalError(`the kernel pool's worker died: ${this.died}`);
    this.awaitStart();
    const { ctrl } = this;
    let bigints = 0;
    for (const [i, arg] of workerArgs.entries()) {
      if (typeof arg === 'bigint') {
        this.bigArgs[i] = BigInt.asIntN(64, arg);
        bigints |= 1 << i;
      } else {
        this.args[i] = arg;
      }
    }
    ctrl[BIGINTS] = bigints;
    ctrl[KERNEL] = index;
    ctrl[COUNT] = workerArgs.length;
    const request = ctrl[REQUEST]! + 1;
    Atomics.store(ctrl, REQUEST, request);
    Atomics.notify(ctrl, REQUEST);
    let failure: unknown;
    try {
      main();
    } catch (error) {
      failure = error;
    }
    // A worker that has not started its part yet (no core free for it: another process holds
    // it) would make this thread wait for the whole part; this thread runs it then instead.
    if (takeBack && Atomics.compareExchange(ctrl, CLAIM, request - 1, request) === request - 1) {
      if (failure !== undefined) throw failure;
      this.taken++;
      (this.kernels[name] as (...args: (number | bigint)[]) => void)(...workerArgs);
      return;
    }
    for (let spins = 0; ; spins++) {
      const done = Atomics.load(ctrl, DONE);
      if (done === request) break;
      if (spins >= SPINS) Atomics.wait(ctrl, DONE, done);
    }
    if (failure !== undefined) throw failure;
    if (ctrl[STATUS] !== 0) {
      throw new InternalError(`the kernel pool's worker failed in ${name}: ${this.message()}`);
    }
  }

  /** How many calls the worker has run (for tests and benchmarks). */
  get workerCalls(): number {
    return Atomics.load(this.ctrl, RUNS);
  }

  /** How many of the worker's parts this thread ran because the worker had not started them. */
  get takenBack(): number {
    return this.taken;
  }

  private awaitStart(): void {
    if (Atomics.load(this.ctrl, READY) === 0) {
      Atomics.wait(this.ctrl, READY, 0, START_TIMEOUT_MS);
    }
    const ready = Atomics.load(this.ctrl, READY);
    if (ready === 1) return;
    throw new InternalError(
      ready === 0
        ? `the kernel pool's worker did not start within ${START_TIMEOUT_MS} ms`
        : `the kernel pool's worker could not instantiate the kernels: ${this.message()}`,
    );
  }

  private message(): string {
    const length = this.ctrl[MESSAGE]!;
    // TextDecoder does not read views of a SharedArrayBuffer: copy first.
    return new TextDecoder().decode(new Uint8Array(this.control, MESSAGE_OFFSET, length).slice());
  }
}

let takeBack = true;

/**
 * Whether the caller runs the worker's part itself when the worker has not started it by the time
 * the caller's part is done (default true; tests turn it off to see the worker run). Returns the
 * previous setting.
 */
export function setPoolTakeBack(next: boolean): boolean {
  const previous = takeBack;
  takeBack = next;
  return previous;
}

const pools = new WeakMap<BackendWasm, SimdPool>();

/**
 * The pool for `backend`, or undefined where our kernels stay on the calling thread: a heap that
 * is not shared (the single-threaded build), one wasm thread configured, or
 * `TRAINYARD_WASM_POOL=0` (for comparisons). The worker starts on the first call.
 */
export function simdPool(backend: BackendWasm): SimdPool | undefined {
  if (process.env.TRAINYARD_WASM_POOL === '0' || getThreadsCount() < 2) return undefined;
  let pool = pools.get(backend);
  if (!pool) {
    const { memory } = simdModuleAndMemory(backend);
    if (!(memory.buffer instanceof SharedArrayBuffer)) return undefined;
    pool = new SimdPool(backend);
    pools.set(backend, pool);
  }
  return pool;
}
