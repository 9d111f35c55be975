import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import type { Dataset } from '../schemas/datasets';
import { CLASS_IMBALANCE_RATIO, resolveJobSpec } from './defaults';

function table(classes: Record<string, number> | undefined): Dataset {
  const examples = Object.values(classes ?? { x: 100 }).reduce((a, b) => a + b, 0);
  return {
    id: 'ds_t',
    object: 'dataset',
    name: 't',
    task: classes ? 'tabular_classification' : 'tabular_regression',
    format: 'csv',
    label_column: 'y',
    status: 'ready',
    created_at: 1,
    updated_at: 1,
    file: { bytes: 100, etag: null },
    report: {
      errors: [],
      warnings: [],
      stats: { examples, ...(classes ? { classes } : {}), bytes: 100 },
    },
  };
}
const weight = (dataset: Dataset, hyperparameters: object = {}) =>
  resolveJobSpec('ftjob_x', { dataset: dataset.id, hyperparameters }, dataset).hyperparameters
    .class_weight;

describe('hyperparameters.class_weight', () => {
  it(`defaults to balanced when the largest class has more than ${CLASS_IMBALANCE_RATIO}× the smallest`, () => {
    expect(weight(table({ a: 100, b: 19 }))).toBe('balanced');
    expect(weight(table({ a: 100, b: 20 }))).toBeNull();
    // cars' origins, 3.5:1: balanced weights there cost accuracy and gain no macro F1.
    expect(weight(table({ USA: 254, Europe: 73, Japan: 79 }))).toBeNull();
    expect(weight(table(undefined))).toBeNull();
  });

  it('keeps what the request says, null included', () => {
    expect(weight(table({ a: 100, b: 10 }), { class_weight: null })).toBeNull();
    expect(weight(table({ a: 10, b: 10 }), { class_weight: 'balanced' })).toBe('balanced');
    expect(weight(table({ a: 10, b: 10 }), { class_weight: { b: 3 } })).toEqual({ b: 3 });
  });

  it('rejects unknown labels and weights on regression', () => {
    expect(() => weight(table({ a: 10, b: 10 }), { class_weight: { c: 3 } })).toThrow(
      ValidationError,
    );
    expect(() => weight(table(undefined), { class_weight: 'balanced' })).toThrow(/regression/);
  });
});
