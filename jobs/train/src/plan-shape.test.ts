import * as tf from '@tensorflow/tfjs';
import { buildModel } from '@trainyard/ml';
import {
  type CreateJob,
  type Dataset,
  modelShape,
  type PlanInput,
  type Preprocess,
  resolveJobSpec,
} from '@trainyard/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelArgs } from './model-args';

// The plan (POST /v1/fine-tuning/jobs/plan) sizes models from layer formulas without loading
// TensorFlow.js; here every architecture is built for real and its countParams() must equal them.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function dataset(task: Dataset['task'], examples: number): Dataset {
  return {
    id: 'ds_unit',
    object: 'dataset',
    name: 'unit',
    task,
    format: 'csv',
    label_column: 'y',
    status: 'ready',
    created_at: 0,
    report: {
      errors: [],
      warnings: [],
      stats: { examples, classes: { a: 10, b: 10, c: 10 }, bytes: 1 },
    },
  } as unknown as Dataset;
}

function preprocess(input: PlanInput, labels: string[] | null): Preprocess {
  const kind =
    input.kind === 'table'
      ? { kind: 'table', columns: [], features: input.features }
      : input.kind === 'image'
        ? { ...input, mean: [], std: [] }
        : {
            kind: 'text',
            lowercase: true,
            vocab: Array.from({ length: input.vocabulary - 2 }, (_, i) => `w${i}`),
            max_length: input.length,
          };
  return {
    version: 1,
    task: 'tabular_classification',
    input: kind,
    labels,
    target: null,
  } as Preprocess;
}

const cases: Array<[string, Dataset['task'], CreateJob, PlanInput]> = [
  [
    'mlp on a table',
    'tabular_classification',
    { dataset: 'ds_unit' },
    { kind: 'table', features: 7 },
  ],
  [
    'mlp regression, batch-norm head',
    'tabular_regression',
    { dataset: 'ds_unit', architecture: { head: { units: [16], batch_norm: true } } },
    { kind: 'table', features: 5 },
  ],
  [
    'mlp on images',
    'image_classification',
    { dataset: 'ds_unit', architecture: { type: 'mlp', input_size: [12, 10] } },
    { kind: 'image', height: 12, width: 10, channels: 3 },
  ],
  [
    'cnn',
    'image_classification',
    { dataset: 'ds_unit', architecture: { type: 'cnn', input_size: [17, 16] } },
    { kind: 'image', height: 17, width: 16, channels: 1 },
  ],
  [
    'cnn on larger pictures (its map average-pooled to 8 a side before the head)',
    'image_classification',
    { dataset: 'ds_unit', architecture: { type: 'cnn', input_size: [100, 70] } },
    { kind: 'image', height: 100, width: 70, channels: 3 },
  ],
  [
    'cnn without batch norm',
    'image_classification',
    {
      dataset: 'ds_unit',
      architecture: {
        type: 'cnn',
        batch_norm: false,
        filters: [8, 8, 16],
        input_size: [24, 24],
      },
    },
    { kind: 'image', height: 24, width: 24, channels: 3 },
  ],
  [
    'resnet',
    'image_classification',
    {
      dataset: 'ds_unit',
      architecture: { type: 'resnet', filters: [8, 16], input_size: [15, 15] },
    },
    { kind: 'image', height: 15, width: 15, channels: 3 },
  ],
  [
    'gru',
    'text_classification',
    { dataset: 'ds_unit', architecture: { type: 'gru' } },
    { kind: 'text', vocabulary: 300, length: 20 },
  ],
  [
    'bag of embeddings (the small-text default)',
    'text_classification',
    { dataset: 'ds_unit' },
    { kind: 'text', vocabulary: 300, length: 20 },
  ],
  [
    'bidirectional lstm, two layers',
    'text_classification',
    {
      dataset: 'ds_unit',
      architecture: {
        type: 'lstm',
        bidirectional: true,
        num_layers: 2,
        rnn_units: 8,
        embedding_dim: 6,
      },
    },
    { kind: 'text', vocabulary: 50, length: 9 },
  ],
  [
    'simple rnn',
    'text_classification',
    { dataset: 'ds_unit', architecture: { type: 'rnn', head: { units: [12] } } },
    { kind: 'text', vocabulary: 40, length: 6 },
  ],
  [
    'attention',
    'text_classification',
    {
      dataset: 'ds_unit',
      architecture: {
        type: 'attention',
        num_layers: 2,
        embedding_dim: 16,
        num_heads: 4,
        max_length: 30,
      },
    },
    { kind: 'text', vocabulary: 80, length: 12 },
  ],
];

describe('the plan’s parameter count', () => {
  it.each(cases)('%s: equals the built model’s countParams()', (_name, task, request, input) => {
    const spec = resolveJobSpec('ftjob_unit', request, dataset(task, 30));
    const labels = task === 'tabular_regression' ? null : ['a', 'b', 'c'];
    const shape =
      input.kind === 'table'
        ? [input.features]
        : input.kind === 'image'
          ? [input.height, input.width, input.channels]
          : [input.length];
    const model = buildModel(modelArgs(spec, preprocess(input, labels), shape));
    const planned = modelShape(spec, input, labels ? labels.length : null);
    expect(planned.parameters).toBe(model.countParams());
    expect(planned.outputs).toBe(model.outputs[0]!.shape.at(-1));
    model.dispose();
  });
});
