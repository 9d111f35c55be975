/**
 * The real tuning task of `bench:tuning`: tuning the learning rate and dropout of the MLP the
 * platform trains on Fisher's iris. Training it for every trial of every seed of three samplers
 * would take hours here, so, as tabular benchmarks do (HPOBench, NAS-Bench), the model is
 * trained once on every cell of a grid and the samplers query that table: a trial's value is the
 * real validation loss of the nearest cell. Both sides (ours and Optuna) query the same table.
 */
import {
  buildModel,
  buildPreprocess,
  encodeDataset,
  evaluate,
  fit as fitModel,
  makeOptimizer,
  seedRandom,
  selectBackend,
  splitIndices,
} from '@trainyard/ml';
import { type Dataset, resolveJobSpec, type SearchSpace } from '@trainyard/shared';
import { irisTable } from '@trainyard/testing';
import { modelArgs } from '@trainyard/train';
import type { Params, TestFunction } from '@trainyard/tuning';

export interface RealTaskTable {
  readonly name: string;
  /** Grid axes: log10 of the learning rate, and dropout. */
  readonly logLrs: number[];
  readonly dropouts: number[];
  /** values[i][j]: validation loss at logLrs[i], dropouts[j]. */
  readonly values: number[][];
}

/** Trains the iris MLP (as a job would: wasm backend, the trainer's loop) on every grid cell. */
export async function buildIrisTable(): Promise<RealTaskTable> {
  await selectBackend({ preference: 'auto' });
  const raw = irisTable();
  const split = splitIndices(raw.labels, 0.3, 7, true);
  const dataset = {
    id: 'ds_bench',
    name: 'iris',
    task: 'tabular_classification',
    report: { stats: { examples: 150 } },
  } as unknown as Dataset;
  const logLrs = [-4, -3.5, -3, -2.5, -2, -1.5, -1];
  const dropouts = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
  const values: number[][] = [];
  for (const logLr of logLrs) {
    const row: number[] = [];
    for (const dropout of dropouts) {
      const spec = resolveJobSpec(
        'ftjob_bench',
        {
          dataset: 'ds_bench',
          seed: 3,
          hyperparameters: {
            epochs: 15,
            batch_size: 16,
            learning_rate: 10 ** logLr,
            early_stopping: null,
          },
          regularization: { dropout },
        },
        dataset,
      );
      seedRandom(spec.seed);
      const pre = await buildPreprocess(raw, split.train, spec);
      const data = await encodeDataset(raw, pre);
      const model = buildModel(modelArgs(spec, pre, data.exampleShape));
      const optimizer = makeOptimizer(spec.hyperparameters, spec.hyperparameters.learning_rate);
      await fitModel(model, data, {
        hyperparameters: spec.hyperparameters,
        learningRate: spec.hyperparameters.learning_rate,
        optimizer,
        epochs: spec.hyperparameters.epochs,
        train: split.train,
        validation: [],
        seed: spec.seed,
      });
      row.push(evaluate(model, data, split.validation).loss);
      model.dispose();
      optimizer.dispose();
    }
    values.push(row);
  }
  return { name: 'iris_mlp', logLrs, dropouts, values };
}

function nearest(axis: readonly number[], x: number): number {
  let best = 0;
  for (let i = 1; i < axis.length; i++)
    if (Math.abs(axis[i]! - x) < Math.abs(axis[best]! - x)) best = i;
  return best;
}

/** The table as a function our samplers can minimise. */
export function tableFunction(table: RealTaskTable): TestFunction {
  const space: SearchSpace = {
    'hyperparameters.learning_rate': {
      type: 'log_uniform',
      min: 10 ** table.logLrs[0]!,
      max: 10 ** table.logLrs.at(-1)!,
    },
    'regularization.dropout': {
      type: 'uniform',
      min: table.dropouts[0]!,
      max: table.dropouts.at(-1)!,
    },
  };
  const value = (params: Params) =>
    table.values[
      nearest(table.logLrs, Math.log10(params['hyperparameters.learning_rate'] as number))
    ]![nearest(table.dropouts, params['regularization.dropout'] as number)]!;
  return {
    name: table.name,
    space,
    minimum: Math.min(...table.values.flat()),
    value,
    observe: value,
  };
}
