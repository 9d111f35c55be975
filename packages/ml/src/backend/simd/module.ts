import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { InternalError } from '@trainyard/shared';
import type { SimdVariant } from './compile';

/**
 * Trainyard's own wasm SIMD kernels (AssemblyScript in `packages/ml/assembly`), instantiated on
 * tfjs-backend-wasm's memory so that they read and write tensors where they lie: pointers are the
 * byte offsets of tensors in that heap (`heapOffset`). Shapes and strides are passed as integers.
 * They need wasm SIMD, which every Node this project supports (≥ 20) has.
 */
export interface SimdKernels {
  adamUpdate(
    value: number,
    m: number,
    v: number,
    gradient: number,
    outValue: number,
    outM: number,
    outV: number,
    size: number,
    negativeLr: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    epsilon: number,
    c1: number,
    c2: number,
  ): void;
  maxPoolGrad(
    x: number,
    dy: number,
    dx: number,
    batch: number,
    inH: number,
    inW: number,
    channels: number,
    outH: number,
    outW: number,
    filterH: number,
    filterW: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
  ): void;
  reluGrad(dy: number, x: number, dx: number, size: number): void;
  /** op: 0 add, 1 subtract, 2 multiply, 3 divide; each operand repeats every `period` values. */
  binary(
    op: number,
    a: number,
    aPeriod: number,
    b: number,
    bPeriod: number,
    out: number,
    size: number,
  ): void;
  /** `binary` with each operand's values also held for `repeat` outputs (a column broadcast). */
  binaryRepeated(
    op: number,
    a: number,
    aPeriod: number,
    aRepeat: number,
    b: number,
    bPeriod: number,
    bRepeat: number,
    out: number,
    size: number,
  ): void;
  /** Booleans as 0/1. */
  matmul(
    a: number,
    b: number,
    out: number,
    m: number,
    k: number,
    n: number,
    transposeA: number,
    transposeB: number,
  ): void;
  columnSums(
    x: number,
    out: number,
    rows: number,
    width: number,
    scale: number,
    scratch: number,
  ): void;
  dropoutMask(out: number, size: number, keep: number, seed: bigint): void;
  /** `dropoutMask` into `mask` and y = x·mask, in one pass. */
  dropoutForward(
    x: number,
    mask: number,
    y: number,
    size: number,
    keep: number,
    seed: bigint,
  ): void;
  batchNormForward(
    x: number,
    gamma: number,
    beta: number,
    y: number,
    mean: number,
    variance: number,
    rows: number,
    channels: number,
    epsilon: number,
    scratch: number,
  ): void;
  batchNormBackward(
    dy: number,
    x: number,
    mean: number,
    variance: number,
    gamma: number,
    dx: number,
    dgamma: number,
    dbeta: number,
    rows: number,
    channels: number,
    epsilon: number,
    scratch: number,
  ): void;
  /** Batch norm, ReLU and tiling max pool as one block. Layouts and scratch: `assembly/bn-relu-pool.ts`. */
  bnReluPoolForward(
    x: number,
    gamma: number,
    beta: number,
    pooled: number,
    winner: number,
    winnerX: number,
    mean: number,
    variance: number,
    batch: number,
    inH: number,
    inW: number,
    channels: number,
    poolH: number,
    poolW: number,
    epsilon: number,
    scratch: number,
  ): void;
  bnReluPoolBackward(
    dPooled: number,
    x: number,
    pooled: number,
    winner: number,
    winnerX: number,
    mean: number,
    variance: number,
    gamma: number,
    dx: number,
    dgamma: number,
    dbeta: number,
    batch: number,
    inH: number,
    inW: number,
    channels: number,
    poolH: number,
    poolW: number,
    epsilon: number,
    scratch: number,
  ): void;
  /** The parts of the two above for two threads (`src/backend/kernels/bn-relu-pool.ts`). */
  bnSums(
    x: number,
    mean: number,
    rows: number,
    channels: number,
    squared: number,
    scratch: number,
  ): void;
  bnMeanOfParts(mean: number, rows: number, channels: number, scratch: number, other: number): void;
  bnNormalizationOfParts(
    gamma: number,
    beta: number,
    mean: number,
    variance: number,
    rows: number,
    channels: number,
    epsilon: number,
    scratch: number,
    other: number,
  ): void;
  bnReluPoolWindows(
    x: number,
    scale: number,
    shift: number,
    pooled: number,
    winner: number,
    winnerX: number,
    batch: number,
    inH: number,
    inW: number,
    channels: number,
    poolH: number,
    poolW: number,
  ): void;
  bnReluPoolGradientSums(
    dPooled: number,
    pooled: number,
    winnerX: number,
    mean: number,
    outputs: number,
    channels: number,
    scratch: number,
  ): void;
  bnReluPoolCoefficientsOfParts(
    mean: number,
    variance: number,
    gamma: number,
    dgamma: number,
    dbeta: number,
    rows: number,
    channels: number,
    epsilon: number,
    scratch: number,
    other: number,
  ): void;
  bnReluPoolGradientWindows(
    dPooled: number,
    x: number,
    pooled: number,
    winner: number,
    k1: number,
    k2: number,
    k3: number,
    dx: number,
    batch: number,
    inH: number,
    inW: number,
    channels: number,
    poolH: number,
    poolW: number,
  ): void;
  /** Int32 ids; `assembly/rows.ts`. */
  gatherRows(x: number, ids: number, out: number, count: number, width: number): void;
  segmentSumRows(
    x: number,
    ids: number,
    out: number,
    count: number,
    width: number,
    segments: number,
  ): void;
  /** Booleans as 0/1. Layouts and scratch: `assembly/lstm.ts`. */
  lstmForward(
    x: number,
    kernel: number,
    recurrent: number,
    bias: number,
    out: number,
    hs: number,
    cs: number,
    gates: number,
    xs: number,
    batch: number,
    steps: number,
    inputDim: number,
    units: number,
    hard: number,
    returnSequences: number,
    goBackwards: number,
  ): void;
  lstmBackward(
    dy: number,
    x: number,
    kernel: number,
    recurrent: number,
    hs: number,
    cs: number,
    gates: number,
    dx: number,
    dKernel: number,
    dRecurrent: number,
    dBias: number,
    scratch: number,
    batch: number,
    steps: number,
    inputDim: number,
    units: number,
    hard: number,
    returnSequences: number,
    goBackwards: number,
  ): void;
  /** Booleans as 0/1. Layouts and scratch: `assembly/gru.ts`. */
  gruForward(
    x: number,
    kernel: number,
    recurrent: number,
    bias: number,
    out: number,
    hs: number,
    gates: number,
    rh: number,
    xs: number,
    batch: number,
    steps: number,
    inputDim: number,
    units: number,
    hard: number,
    returnSequences: number,
    goBackwards: number,
  ): void;
  gruBackward(
    dy: number,
    x: number,
    kernel: number,
    recurrent: number,
    hs: number,
    gates: number,
    rh: number,
    dx: number,
    dKernel: number,
    dRecurrent: number,
    dBias: number,
    scratch: number,
    batch: number,
    steps: number,
    inputDim: number,
    units: number,
    hard: number,
    returnSequences: number,
    goBackwards: number,
  ): void;
  /** Layer table and scratch: `assembly/dense-train-step.ts`. */
  denseTrainStep(
    table: number,
    layers: number,
    x: number,
    labels: number,
    batch: number,
    probabilities: number,
    correct: number,
    scratch: number,
    negativeLr: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    c1: number,
    c2: number,
  ): void;
  /** Stride 1, dilation 1, co a multiple of 8; flip 0/1; scratch: `assembly/conv2d-forward.ts`. */
  conv2dForward(
    x: number,
    w: number,
    out: number,
    scratch: number,
    batch: number,
    inH: number,
    inW: number,
    ci: number,
    outH: number,
    outW: number,
    co: number,
    kh: number,
    kw: number,
    padTop: number,
    padLeft: number,
    flip: number,
  ): void;
  conv2dFilterGrad(
    x: number,
    dy: number,
    dw: number,
    batch: number,
    inH: number,
    inW: number,
    inC: number,
    outH: number,
    outW: number,
    outC: number,
    filterH: number,
    filterW: number,
    strideH: number,
    strideW: number,
    dilationH: number,
    dilationW: number,
    padTop: number,
    padLeft: number,
  ): void;
}

/** The part of the WebAssembly API used here (this project's TypeScript lib has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: object };
  validate(bytes: Uint8Array): boolean;
}
const WASM = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Path of the compiled kernels for `variant`, beside this file. */
export function simdBinaryPath(variant: SimdVariant): string {
  const name = variant === 'plain' ? 'kernels.wasm' : `kernels-${variant}.wasm`;
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}

/**
 * A module of one function, (a, b, c) => f32x4.relaxed_madd(a, b, c): valid where the runtime has
 * relaxed SIMD (V8 ≥ 11.4: Node ≥ 22, Chrome ≥ 114). Node 20's V8 (11.3) has it only behind
 * `--experimental-wasm-relaxed-simd`, so there the plain build runs.
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b,
  0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20,
  0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

/** Whether this runtime accepts relaxed SIMD (checked once, by validating a tiny module). */
export function hasRelaxedSimd(): boolean {
  relaxed ??= WASM.validate(RELAXED_SIMD_PROBE);
  return relaxed;
}
let relaxed: boolean | undefined;

/**
 * The build for a heap: shared memory (the threaded backend) or not, with relaxed SIMD where the
 * runtime has it. `TRAINYARD_WASM_RELAXED_SIMD=0` forces the plain SIMD build (for comparisons).
 */
export function simdVariantFor(shared: boolean): SimdVariant {
  const relaxed = usesRelaxedSimd();
  if (shared) return relaxed ? 'shared-relaxed' : 'shared';
  return relaxed ? 'plain-relaxed' : 'plain';
}

/** Whether the kernels are (or will be) the relaxed-SIMD build, fused multiply-adds included. */
export function usesRelaxedSimd(): boolean {
  return hasRelaxedSimd() && process.env.TRAINYARD_WASM_RELAXED_SIMD !== '0';
}

const compiled = new Map<SimdVariant, WasmModule>();
const instances = new WeakMap<BackendWasm, SimdKernels>();

function moduleFor(variant: SimdVariant): WasmModule {
  let module = compiled.get(variant);
  if (!module) {
    module = new WASM.Module(readFileSync(simdBinaryPath(variant)));
    compiled.set(variant, module);
  }
  return module;
}

/** The emscripten module's memory: `wasmMemory` in the threaded build, the export otherwise. */
function backendMemory(backend: BackendWasm): WasmMemory {
  const module = (
    backend as unknown as {
      wasm: { wasmMemory?: WasmMemory; asm?: { memory?: WasmMemory } };
    }
  ).wasm;
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (!memory) throw new InternalError('tfjs-backend-wasm exposes no WasmMemory');
  return memory;
}

/**
 * The compiled kernels' module for `backend`'s heap and that heap's memory: what another thread
 * needs to instantiate the same kernels over the same memory (`pool.ts`).
 */
export function simdModuleAndMemory(backend: BackendWasm): {
  module: WasmModule;
  memory: WasmMemory;
} {
  const memory = backendMemory(backend);
  const variant = simdVariantFor(memory.buffer instanceof SharedArrayBuffer);
  return { module: moduleFor(variant), memory };
}

/** The kernels bound to `backend`'s heap (instantiated once per backend). */
export function simdKernels(backend: BackendWasm): SimdKernels {
  let kernels = instances.get(backend);
  if (!kernels) {
    const { module, memory } = simdModuleAndMemory(backend);
    const instance = new WASM.Instance(module, { env: { memory } });
    kernels = instance.exports as unknown as SimdKernels;
    instances.set(backend, kernels);
  }
  return kernels;
}

/** The byte offset of a tensor's data in the wasm heap (read from the backend's own table). */
export function heapOffset(backend: BackendWasm, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new InternalError('tensor is not in the wasm backend (disposed?)');
  return data.memoryOffset;
}
