import type { DatasetSplit } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';
import { splitIndices, splitWithFolders } from './split';

// 3 classes × 10 examples; folders: per class 6 train, 2 validation, 2 test.
const labels = Int32Array.from({ length: 30 }, (_, i) => Math.floor(i / 10));
const folders: DatasetSplit[] = Array.from(labels, (_, i) =>
  i % 10 < 6 ? 'train' : i % 10 < 8 ? 'validation' : 'test',
);
const inFolder = (split: DatasetSplit) =>
  [...folders.keys()].filter((i) => folders[i] === split).sort((a, b) => a - b);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('splitWithFolders', () => {
  it('validates on the validation folder, trains on the train folder, holds test out', () => {
    const split = splitWithFolders(labels, folders, {
      fraction: 0.5,
      seed: 3,
      stratified: true,
      folderValidation: true,
    });
    expect(split.validation).toEqual(inFolder('validation'));
    expect(sorted(split.train)).toEqual(inFolder('train'));
    expect(split.test).toEqual(inFolder('test'));
  });

  it('without folder validation, splits train and validation folders at random; test stays out', () => {
    const split = splitWithFolders(labels, folders, {
      fraction: 0.5,
      seed: 3,
      stratified: true,
      folderValidation: false,
    });
    expect(split.test).toEqual(inFolder('test'));
    expect(split.validation).toHaveLength(12); // half of each class's 8 pooled examples
    expect(sorted([...split.train, ...split.validation])).toEqual(
      sorted([...inFolder('train'), ...inFolder('validation')]),
    );
    expect(split.validation).not.toEqual(inFolder('validation'));
  });

  it('with train and test folders only, splits train at random', () => {
    const trainTest = folders.map((f) => (f === 'validation' ? 'train' : f));
    const split = splitWithFolders(labels, trainTest, {
      fraction: 0.25,
      seed: 3,
      stratified: true,
      folderValidation: true,
    });
    expect(split.test).toEqual(inFolder('test'));
    expect(split.validation).toHaveLength(6);
    expect(split.validation.every((i) => trainTest[i] === 'train')).toBe(true);
  });

  it('without folders, is exactly splitIndices', () => {
    const options = { fraction: 0.2, seed: 9, stratified: true, folderValidation: true };
    expect(splitWithFolders(labels, undefined, options)).toEqual({
      ...splitIndices(labels, 0.2, 9, true),
      test: [],
    });
  });
});

describe('splitIndices', () => {
  it('with fraction 0 keeps every example in train', () => {
    const split = splitIndices(labels, 0, 1, true);
    expect(split.validation).toEqual([]);
    expect(sorted(split.train)).toEqual([...labels.keys()]);
  });
});
