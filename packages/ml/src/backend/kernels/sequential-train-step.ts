import { Conv2DBackpropFilter, Conv2DBackpropInput, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import type { AdamUpdateAttrs } from './adam-update';
import { bnReluPoolBackward, bnReluPoolForward } from './bn-relu-pool';
import { dropoutForward } from './dropout-forward';
import { wasmKernel } from './kernel-config';
import { maxPoolGrad } from './max-pool-grad';
import { WasmOps } from './wasm-ops';

/**
 * A whole training step of a sequential image or tabular classifier (convolutions, batch norm,
 * ReLU, max pooling, dropout, flatten, dense layers, a softmax output, cross-entropy on class ids,
 * Adam) as one tfjs kernel. Inside it every layer's forward and backward pass calls the wasm
 * backend's kernels directly (XNNPACK or our SIMD code, as the per-op path would choose them): no
 * tape, no saved-tensor clones (`Identity`), no engine bookkeeping per op, every intermediate freed
 * at the end. `src/train/fused-sequential-step.ts` says which models take it.
 *
 * Inputs: x (float32, [B, ...]) and labels [B] (float32 class ids); per trainable weight i, in the
 * order the layers own them (kernel then bias; gamma then beta), `w{i}`, `m{i}`, `v{i}` (value and
 * Adam moments); per batch norm j, `mm{j}` and `mv{j}` (moving mean and variance). Outputs:
 * p[b, label] after tfjs's clipping [B], the count of correct rows [1], then per weight its new
 * value, m and v, then per batch norm its new moving mean and variance.
 */
export const SEQUENTIAL_TRAIN_STEP = 'TrainyardSequentialTrainStep';

/** One layer of the step, in model order (the `layers` attribute, as JSON). */
export type StepLayer =
  | {
      kind: 'conv2d';
      strides: [number, number];
      padding: 'same' | 'valid';
      bias: boolean;
      relu: boolean;
    }
  | { kind: 'batchNorm'; epsilon: number; momentum: number }
  | { kind: 'relu' }
  | {
      kind: 'maxPool';
      poolSize: [number, number];
      strides: [number, number];
      padding: 'same' | 'valid';
    }
  | { kind: 'dropout'; rate: number }
  | { kind: 'flatten' }
  | { kind: 'dense'; bias: boolean; activation: 'linear' | 'relu' | 'softmax' };

/** Adam's settings of this step (`AdamUpdateAttrs`) and the model's layers. */
export interface SequentialTrainStepAttrs extends AdamUpdateAttrs {
  /** `StepLayer[]` as JSON; the last is a dense softmax layer. */
  layers: string;
  /** Two 32-bit seed halves per dropout layer, in model order (as `dropoutTraining` draws them). */
  seeds: number[];
}

/** What a layer's backward pass needs from its forward pass. */
interface Saved {
  input: TensorInfo;
  output: TensorInfo;
  /** The layer's first weight index (conv, dense, batch norm); its batch-norm index. */
  weight: number;
  norm: number;
  /**
   * Batch norm: the batch's mean and variance (and, as a block with ReLU and max pool, each pooled
   * output's winning window position). Dropout: the mask. Dense: the transposed kernel.
   */
  extra: TensorInfo[];
  /** The first layer of a block run as one (batch norm, ReLU, max pool): how many layers it has. */
  block?: number;
  /** A later layer of such a block: where the block starts. */
  partOf?: number;
}

const parsed = new Map<string, StepLayer[]>();

function layersOf(json: string): StepLayer[] {
  let layers = parsed.get(json);
  if (!layers) {
    layers = JSON.parse(json) as StepLayer[];
    parsed.set(json, layers);
  }
  return layers;
}

const size = (t: TensorInfo) => t.shape.reduce((a, b) => a * b, 1);

/** The same data under another shape (no copy; never disposed on its own). */
const reshaped = (t: TensorInfo, shape: number[]): TensorInfo => ({
  dataId: t.dataId,
  shape,
  dtype: t.dtype,
});

function sequentialTrainStep(args: {
  inputs: Record<string, TensorInfo>;
  backend: BackendWasm;
  attrs: SequentialTrainStepAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const layers = layersOf(attrs.layers);
  const simd = simdKernels(backend);
  const at = (t: TensorInfo) => heapOffset(backend, t);
  const ops = new WasmOps(backend);
  const temp = (shape: number[]) => ops.adopt(backend.makeOutput(shape, 'float32'));
  const x = inputs.x!;
  const batch = x.shape[0]!;
  const weights = Object.keys(inputs).filter((k) => /^w\d+$/.test(k)).length;
  const norms = Object.keys(inputs).filter((k) => /^mm\d+$/.test(k)).length;
  const outputs: TensorInfo[] = [];
  const out = (shape: number[]) => {
    const t = backend.makeOutput(shape, 'float32');
    outputs.push(t);
    return t;
  };
  const probabilities = out([batch]);
  const correct = out([1]);
  const newWeights: TensorInfo[][] = [];
  for (let i = 0; i < weights; i++) {
    const shape = inputs[`w${i}`]!.shape;
    newWeights.push([out(shape), out(shape), out(shape)]);
  }
  const newMoving: TensorInfo[][] = [];
  for (let j = 0; j < norms; j++) {
    const shape = inputs[`mm${j}`]!.shape;
    newMoving.push([out(shape), out(shape)]);
  }
  try {
    // Forward.
    const saved: Saved[] = [];
    let h = x;
    let weight = 0;
    let norm = 0;
    let dropouts = 0;
    for (let l = 0; l < layers.length; l++) {
      const layer = layers[l]!;
      const record: Saved = { input: h, output: h, weight, norm, extra: [] };
      const pool = poolAfter(layers, l, h);
      if (pool) {
        // Batch norm, ReLU and max pool as one block (`assembly/bn-relu-pool.ts`).
        const bn = layer as Extract<StepLayer, { kind: 'batchNorm' }>;
        const [, inH, inW, channels] = h.shape as [number, number, number, number];
        const [poolH, poolW] = pool.poolSize;
        const outShape = [batch, Math.floor(inH / poolH), Math.floor(inW / poolW), channels];
        const pooled = temp(outShape);
        const winner = ops.adopt(backend.makeOutput(outShape, 'int32'));
        const winnerX = temp(outShape);
        const mean = temp([channels]);
        const variance = temp([channels]);
        const scratch = temp([9 * channels]);
        bnReluPoolForward(
          backend,
          {
            x: at(h),
            gamma: at(inputs[`w${weight}`]!),
            beta: at(inputs[`w${weight + 1}`]!),
            pooled: at(pooled),
            winner: at(winner),
            winnerX: at(winnerX),
            mean: at(mean),
            variance: at(variance),
            scratch: at(scratch),
          },
          { batch, inH, inW, channels, poolH, poolW, epsilon: bn.epsilon },
        );
        movingAverages(backend, inputs, newMoving[norm]!, norm, mean, variance, bn.momentum);
        record.output = pooled;
        record.extra = [mean, variance, winner, winnerX];
        record.block = 3;
        weight += 2;
        norm++;
        saved.push(record, { ...record, partOf: l }, { ...record, partOf: l });
        h = pooled;
        l += 2;
        continue;
      }
      switch (layer.kind) {
        case 'conv2d': {
          let y = ops.run(
            'Conv2D',
            { x: h, filter: inputs[`w${weight}`]! },
            {
              strides: layer.strides,
              pad: layer.padding,
              dataFormat: 'NHWC',
              dilations: [1, 1],
              dimRoundingMode: 'floor',
            },
          );
          if (layer.bias) addBias(simd, at, y, inputs[`w${weight + 1}`]!);
          if (layer.relu) y = ops.run('Relu', { x: y });
          record.output = y;
          weight += layer.bias ? 2 : 1;
          break;
        }
        case 'batchNorm': {
          const channels = h.shape.at(-1)!;
          const y = temp(h.shape);
          const mean = temp([channels]);
          const variance = temp([channels]);
          const scratch = temp([9 * channels]);
          simd.batchNormForward(
            at(h),
            at(inputs[`w${weight}`]!),
            at(inputs[`w${weight + 1}`]!),
            at(y),
            at(mean),
            at(variance),
            size(h) / channels,
            channels,
            layer.epsilon,
            at(scratch),
          );
          movingAverages(backend, inputs, newMoving[norm]!, norm, mean, variance, layer.momentum);
          record.output = y;
          record.extra = [mean, variance];
          weight += 2;
          norm++;
          break;
        }
        case 'relu':
          record.output = ops.run('Relu', { x: h });
          break;
        case 'maxPool':
          record.output = ops.run(
            'MaxPool',
            { x: h },
            {
              filterSize: layer.poolSize,
              strides: layer.strides,
              pad: layer.padding,
              dimRoundingMode: 'floor',
            },
          );
          break;
        case 'dropout': {
          const mask = temp(h.shape);
          const high = attrs.seeds[2 * dropouts]!;
          const low = attrs.seeds[2 * dropouts + 1]!;
          dropouts++;
          const y = temp(h.shape);
          dropoutForward(
            backend,
            at(h),
            at(mask),
            at(y),
            size(h),
            1 - layer.rate,
            (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0),
          );
          record.output = y;
          record.extra = [mask];
          break;
        }
        case 'flatten':
          record.output = reshaped(h, [batch, size(h) / batch]);
          break;
        case 'dense': {
          const w = inputs[`w${weight}`]!;
          const [k, n] = w.shape as [number, number];
          let y = temp([batch, n]);
          if (n < NARROW) {
            // Few outputs (a classifier): rows of x dotted with rows of Wᵀ, k floats long, rather
            // than 4-wide vectors over n columns with scalar leftovers.
            const wT = temp([n, k]);
            transpose(backend, w, wT);
            simd.matmul(at(h), at(wT), at(y), batch, k, n, 0, 1);
            record.extra = [wT];
          } else {
            simd.matmul(at(h), at(w), at(y), batch, k, n, 0, 0);
          }
          if (layer.bias) addBias(simd, at, y, inputs[`w${weight + 1}`]!);
          if (layer.activation === 'relu') y = ops.run('Relu', { x: y });
          else if (layer.activation === 'softmax')
            y = ops.run('Softmax', { logits: y }, { dim: 1 });
          record.output = y;
          weight += layer.bias ? 2 : 1;
          break;
        }
      }
      saved.push(record);
      h = record.output;
    }

    // Loss and its gradient at the logits: (p − onehot)/B, as tfjs's softmax and cross-entropy.
    const classes = h.shape[1]!;
    let dy = temp([batch, classes]);
    lossGradient(backend, h, inputs.labels!, dy, probabilities, correct);

    // Backward, each weight's Adam step as soon as its gradient is known.
    const adam = (i: number, gradient: TensorInfo) => {
      const [value, m, v] = newWeights[i]!;
      simd.adamUpdate(
        at(inputs[`w${i}`]!),
        at(inputs[`m${i}`]!),
        at(inputs[`v${i}`]!),
        at(gradient),
        at(value!),
        at(m!),
        at(v!),
        size(gradient),
        -attrs.learningRate,
        attrs.beta1,
        1 - attrs.beta1,
        attrs.beta2,
        1 - attrs.beta2,
        attrs.epsilon,
        attrs.c1,
        attrs.c2,
      );
    };
    for (let l = layers.length - 1; l >= 0; l--) {
      const first = saved[l]!.partOf;
      if (first !== undefined) {
        const { input, output: pooled, weight: wi, extra } = saved[first]!;
        const [mean, variance, winner, winnerX] = extra as TensorInfo[] as [
          TensorInfo,
          TensorInfo,
          TensorInfo,
          TensorInfo,
        ];
        const pool = layers[first + 2] as Extract<StepLayer, { kind: 'maxPool' }>;
        const bn = layers[first] as Extract<StepLayer, { kind: 'batchNorm' }>;
        const [, inH, inW, channels] = input.shape as [number, number, number, number];
        const dx = temp(input.shape);
        const dgamma = temp([channels]);
        const dbeta = temp([channels]);
        const scratch = temp([9 * channels]);
        bnReluPoolBackward(
          backend,
          {
            dPooled: at(dy),
            x: at(input),
            pooled: at(pooled),
            winner: at(winner),
            winnerX: at(winnerX),
            mean: at(mean),
            variance: at(variance),
            gamma: at(inputs[`w${wi}`]!),
            dx: at(dx),
            dgamma: at(dgamma),
            dbeta: at(dbeta),
            scratch: at(scratch),
          },
          {
            batch,
            inH,
            inW,
            channels,
            poolH: pool.poolSize[0],
            poolW: pool.poolSize[1],
            epsilon: bn.epsilon,
          },
        );
        adam(wi, dgamma);
        adam(wi + 1, dbeta);
        dy = dx;
        l = first;
        continue;
      }
      const layer = layers[l]!;
      const { input, output, weight: wi } = saved[l]!;
      const needInput = l > 0;
      switch (layer.kind) {
        case 'dense': {
          const w = inputs[`w${wi}`]!;
          const [k, n] = w.shape as [number, number];
          if (layer.activation === 'relu') simd.reluGrad(at(dy), at(output), at(dy), size(dy));
          const dw = temp([k, n]);
          const wT = saved[l]!.extra[0];
          if (wT) {
            // dWᵀ = dyᵀ·x as rows of x scaled and added, k floats wide; then transposed.
            const dwT = temp([n, k]);
            simd.matmul(at(dy), at(input), at(dwT), n, batch, k, 1, 0);
            transpose(backend, dwT, dw);
          } else {
            simd.matmul(at(input), at(dy), at(dw), k, batch, n, 1, 0);
          }
          adam(wi, dw);
          if (layer.bias) adam(wi + 1, columnSums(simd, at, temp, dy));
          if (needInput) {
            const dx = temp([batch, k]);
            if (wT) simd.matmul(at(dy), at(wT), at(dx), batch, n, k, 0, 0);
            else simd.matmul(at(dy), at(w), at(dx), batch, n, k, 0, 1);
            dy = dx;
          }
          break;
        }
        case 'flatten':
          dy = reshaped(dy, input.shape);
          break;
        case 'dropout': {
          const mask = saved[l]!.extra[0]!;
          simd.binary(2, at(dy), size(dy), at(mask), size(dy), at(dy), size(dy));
          break;
        }
        case 'maxPool':
          if (needInput) {
            dy = ops.adopt(
              maxPoolGrad({
                inputs: { dy, input, output },
                backend,
                attrs: {
                  filterSize: layer.poolSize,
                  strides: layer.strides,
                  pad: layer.padding,
                  dimRoundingMode: 'floor',
                },
              }),
            );
          }
          break;
        case 'relu':
          simd.reluGrad(at(dy), at(output), at(dy), size(dy));
          break;
        case 'batchNorm': {
          const channels = input.shape.at(-1)!;
          const [mean, variance] = saved[l]!.extra as [TensorInfo, TensorInfo];
          const dx = temp(input.shape);
          const dgamma = temp([channels]);
          const dbeta = temp([channels]);
          const scratch = temp([9 * channels]);
          simd.batchNormBackward(
            at(dy),
            at(input),
            at(mean),
            at(variance),
            at(inputs[`w${wi}`]!),
            at(dx),
            at(dgamma),
            at(dbeta),
            size(input) / channels,
            channels,
            layer.epsilon,
            at(scratch),
          );
          adam(wi, dgamma);
          adam(wi + 1, dbeta);
          dy = dx;
          break;
        }
        case 'conv2d': {
          const w = inputs[`w${wi}`]!;
          if (layer.relu) simd.reluGrad(at(dy), at(output), at(dy), size(dy));
          const convAttrs = {
            strides: layer.strides,
            pad: layer.padding,
            dataFormat: 'NHWC',
            dimRoundingMode: 'floor',
          };
          const dw = ops.run(
            Conv2DBackpropFilter,
            { x: input, dy },
            { ...convAttrs, filterShape: w.shape },
          );
          adam(wi, dw);
          if (layer.bias) adam(wi + 1, columnSums(simd, at, temp, dy));
          if (needInput) {
            dy = ops.run(
              Conv2DBackpropInput,
              { dy, filter: w },
              { ...convAttrs, inputShape: input.shape },
            );
          }
          break;
        }
      }
    }
  } catch (error) {
    for (const t of outputs) backend.disposeData(t.dataId);
    throw error;
  } finally {
    ops.dispose();
  }
  return outputs;
}

type Heap = (t: TensorInfo) => number;

/** Below this many outputs a dense layer's products are arranged around its transposed kernel. */
const NARROW = 16;

/**
 * The max pool that, with the ReLU before it, follows the batch norm at `l` and can run with it as
 * one block (`bn-relu-pool.ts`): windows that tile the image, 4D input, channels a multiple of
 * 4. Undefined otherwise.
 */
function poolAfter(
  layers: StepLayer[],
  l: number,
  h: TensorInfo,
): Extract<StepLayer, { kind: 'maxPool' }> | undefined {
  const [bn, relu, pool] = layers.slice(l, l + 3);
  if (bn?.kind !== 'batchNorm' || relu?.kind !== 'relu' || pool?.kind !== 'maxPool') return;
  if (h.shape.length !== 4 || h.shape[3]! % 4 !== 0 || pool.padding !== 'valid') return;
  const [ph, pw] = pool.poolSize;
  if (pool.strides[0] !== ph || pool.strides[1] !== pw) return;
  if (h.shape[1]! < ph || h.shape[2]! < pw) return;
  return pool;
}

/** to = fromᵀ for a float32 matrix [rows, cols] (to is [cols, rows]). */
function transpose(backend: BackendWasm, from: TensorInfo, to: TensorInfo): void {
  const [rows, cols] = from.shape as [number, number];
  const a = backend.typedArrayFromHeap(from) as Float32Array;
  const b = backend.typedArrayFromHeap(to) as Float32Array;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) b[c * rows + r] = a[r * cols + c]!;
  }
}

/** y += bias along the last axis, in place. */
function addBias(simd: ReturnType<typeof simdKernels>, at: Heap, y: TensorInfo, bias: TensorInfo) {
  simd.binary(0, at(y), size(y), at(bias), size(bias), at(y), size(y));
}

/** Σ of dy over every axis but the last: a bias's gradient. */
function columnSums(
  simd: ReturnType<typeof simdKernels>,
  at: Heap,
  temp: (shape: number[]) => TensorInfo,
  dy: TensorInfo,
): TensorInfo {
  const width = dy.shape.at(-1)!;
  const sums = temp([width]);
  const scratch = temp([3 * width + 2]); // 8-byte aligned float64 totals inside
  const aligned = (at(scratch) + 7) & ~7;
  simd.columnSums(at(dy), at(sums), size(dy) / width, width, 1, aligned);
  return sums;
}

/**
 * Batch norm's moving statistics as tfjs-layers updates them, in float32:
 * moving ← moving − (moving − batch)·(1 − momentum).
 */
function movingAverages(
  backend: BackendWasm,
  inputs: Record<string, TensorInfo>,
  [newMean, newVariance]: TensorInfo[],
  norm: number,
  mean: TensorInfo,
  variance: TensorInfo,
  momentum: number,
): void {
  const decay = Math.fround(1 - momentum);
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  for (const [moving, batch, into] of [
    [inputs[`mm${norm}`]!, mean, newMean!],
    [inputs[`mv${norm}`]!, variance, newVariance!],
  ] as const) {
    const current = view(moving);
    const value = view(batch);
    const target = view(into);
    for (let c = 0; c < current.length; c++) {
      const delta = Math.fround(Math.fround(current[c]! - value[c]!) * decay);
      target[c] = current[c]! - delta;
    }
  }
}

/**
 * From the softmax output p [B, C] and the labels: dy = (p − onehot)/B, p[b, label] clipped as
 * tfjs's cross-entropy clips it into `probabilities`, and the count of rows whose first largest
 * probability is the label's into `correct`.
 */
function lossGradient(
  backend: BackendWasm,
  p: TensorInfo,
  labels: TensorInfo,
  dy: TensorInfo,
  probabilities: TensorInfo,
  correct: TensorInfo,
): void {
  const [batch, classes] = p.shape as [number, number];
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  const probs = view(p);
  const ids = view(labels);
  const grad = view(dy);
  const clipped = view(probabilities);
  const inv = Math.fround(1 / batch);
  let right = 0;
  for (let b = 0; b < batch; b++) {
    const label = ids[b]!;
    const row = b * classes;
    let best = 0;
    for (let c = 0; c < classes; c++) {
      const v = probs[row + c]!;
      if (v > probs[row + best]!) best = c;
      grad[row + c] = Math.fround((c === label ? v - 1 : v) * inv);
    }
    if (best === label) right++;
    const pl = label >= 0 && label < classes ? probs[row + label]! : 0;
    clipped[b] = Math.min(Math.max(pl, 1e-7), 1 - 1e-7);
  }
  view(correct)[0] = right;
}

/** `sequentialTrainStep` as the wasm backend's `SEQUENTIAL_TRAIN_STEP` kernel. */
export const sequentialTrainStepConfig = wasmKernel(SEQUENTIAL_TRAIN_STEP, sequentialTrainStep);
