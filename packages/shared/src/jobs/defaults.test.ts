import { describe, expect, it } from 'vitest';
import type { Dataset, SplitCounts } from '../schemas/datasets';
import { resolveJobSpec } from './defaults';

function imageDataset(splits?: SplitCounts): Dataset {
  return {
    id: 'ds_images',
    object: 'dataset',
    name: 'images',
    task: 'image_classification',
    format: 'image_folder_zip',
    label_column: null,
    status: 'ready',
    created_at: 1,
    updated_at: 1,
    file: { bytes: 100, etag: null },
    report: {
      errors: [],
      warnings: [],
      stats: { examples: 60, classes: { a: 30, b: 30 }, bytes: 100, ...(splits ? { splits } : {}) },
    },
  };
}

const source = (dataset: Dataset, request: object = {}) =>
  resolveJobSpec('ftjob_x', { dataset: dataset.id, ...request }, dataset).validation_source;

describe('validation_source', () => {
  it("is the dataset's validation folder when it has one and the request sets nothing", () => {
    expect(source(imageDataset({ train: 40, validation: 10, test: 10 }))).toBe('dataset_split');
  });

  it('is a random split when the request sets validation_split, or the dataset has no validation folder', () => {
    const withFolders = imageDataset({ train: 40, validation: 10, test: 10 });
    expect(source(withFolders, { validation_split: 0.3 })).toBe('random_split');
    expect(source(imageDataset({ train: 50, validation: 0, test: 10 }))).toBe('random_split');
    expect(source(imageDataset())).toBe('random_split');
  });

  it('is the validation dataset when one is given', () => {
    const withFolders = imageDataset({ train: 40, validation: 10, test: 10 });
    expect(source(withFolders, { validation_dataset: 'ds_other' })).toBe('validation_dataset');
  });
});
