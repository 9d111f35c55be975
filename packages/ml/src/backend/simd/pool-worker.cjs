'use strict';
// The worker of `pool.ts`: instantiates Trainyard's SIMD kernels over tfjs-backend-wasm's shared
// heap and runs one kernel call each time the caller asks, through the control block (layout in
// `pool.ts`). It waits in Atomics.wait between calls, so it uses no CPU while XNNPACK's threads run.
const { workerData } = require('node:worker_threads');

// The control block's slots, as pool.ts names them.
const { REQUEST, DONE, STATUS, KERNEL, COUNT, RUNS, READY, MESSAGE, BIGINTS, CLAIM } =
  workerData.slots;

const { module: kernelModule, memory, control, argsOffset, argsLength, messageOffset } = workerData;
const ctrl = new Int32Array(control, 0, 16);
const args = new Float64Array(control, argsOffset, argsLength);
const bigArgs = new BigInt64Array(control, argsOffset, argsLength);
const message = new Uint8Array(control, messageOffset);

function report(error) {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const bytes = new TextEncoder().encode(text);
  const length = Math.min(bytes.length, message.length);
  message.set(bytes.subarray(0, length));
  ctrl[MESSAGE] = length;
}

let kernels;
let names;
try {
  kernels = new WebAssembly.Instance(kernelModule, { env: { memory } }).exports;
  names = Object.keys(kernels).sort();
  Atomics.store(ctrl, READY, 1);
} catch (error) {
  report(error);
  Atomics.store(ctrl, READY, 2);
}
Atomics.notify(ctrl, READY);

let seen = 0;
while (kernels) {
  Atomics.wait(ctrl, REQUEST, seen);
  seen = Atomics.load(ctrl, REQUEST);
  // The caller runs the part itself when it finished its own before this worker claimed this one.
  if (Atomics.compareExchange(ctrl, CLAIM, seen - 1, seen) !== seen - 1) continue;
  const index = ctrl[KERNEL];
  try {
    const kernel = kernels[names[index]];
    if (typeof kernel !== 'function') throw new TypeError(`no kernel number ${index}`);
    const bigints = ctrl[BIGINTS];
    const call = [];
    for (let i = 0; i < ctrl[COUNT]; i++) call.push(bigints & (1 << i) ? bigArgs[i] : args[i]);
    kernel(...call);
    ctrl[STATUS] = 0;
    Atomics.add(ctrl, RUNS, 1);
  } catch (error) {
    report(error);
    ctrl[STATUS] = 1;
  }
  Atomics.store(ctrl, DONE, seen);
  Atomics.notify(ctrl, DONE);
}
