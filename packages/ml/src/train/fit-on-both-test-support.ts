// For the fused steps' tests: the same training through fit() on tfjs `cpu` (the generic path)
// and on wasm (where a fused step takes it), compared.
import * as tf from '@tensorflow/tfjs';
import type { Hyperparameters } from '@trainyard/shared';
import { expect } from 'vitest';
import type { EncodedDataset } from '../data/encode';
import { adam } from './adam';
import { fit } from './loop';

export interface FitRun {
  readonly kernelNames: string[];
  readonly history: { loss: number; accuracy: number | null }[];
  readonly weights: number[][];
}

/**
 * Trains a fresh `build()` with `fit()` on `data` (Adam at `learningRate`, 3 epochs of batch 5 over
 * every example, seed 3) on `cpu`, then on `wasm`, leaving the backend on wasm. Returns each
 * run's kernel names, history and final weights.
 */
export async function fitOnCpuAndWasm(
  build: () => tf.LayersModel,
  data: EncodedDataset,
  learningRate: number,
): Promise<{ cpu: FitRun; wasm: FitRun }> {
  const hyperparameters: Hyperparameters = {
    epochs: 3,
    batch_size: 5,
    learning_rate: learningRate,
    optimizer: 'adam',
    momentum: 0,
    weight_decay: 0,
    lr_schedule: { type: 'constant', warmup_epochs: 0, step_size: 10, gamma: 0.1, min_lr: 0 },
    early_stopping: null,
    gradient_clip_norm: null,
    fine_tune_epochs: 0,
    fine_tune_learning_rate_factor: 0.1,
    class_weight: null,
  };
  const run = async (backend: 'cpu' | 'wasm'): Promise<FitRun> => {
    await tf.setBackend(backend);
    const model = build();
    let history: FitRun['history'] = [];
    const { kernelNames } = await tf.profile(async () => {
      ({ history } = await fit(model, data, {
        hyperparameters,
        learningRate,
        optimizer: adam(learningRate),
        epochs: 3,
        train: Array.from({ length: data.count }, (_, i) => i),
        validation: [],
        seed: 3,
      }));
    });
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
    model.dispose();
    return { kernelNames, history, weights };
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  return { cpu, wasm };
}

/** Asserts that the wasm run's losses, accuracies and weights are the cpu run's (4 decimals). */
export function expectSameFit(cpu: FitRun, wasm: FitRun): void {
  for (const [i, epoch] of cpu.history.entries()) {
    expect(wasm.history[i]!.loss).toBeCloseTo(epoch.loss, 4);
    expect(wasm.history[i]!.accuracy).toBeCloseTo(epoch.accuracy!, 6);
  }
  for (const [i, want] of cpu.weights.entries()) {
    expect(wasm.weights[i]!).toEqual(want.map((v) => expect.closeTo(v, 4)));
  }
}
