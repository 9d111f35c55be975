import type { TableColumn } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';
import { appendValidation } from './merge';
import type { RawDataset } from './raw';

/** A validated table of one numeric feature and a class label, its feature column named `feature`. */
function table(feature: string, rows: Array<[number, string]>): RawDataset {
  const columns: TableColumn[] = [
    { name: feature, type: 'numeric', missing: 0, mean: 0, std: 1 },
    { name: 'label', type: 'categorical', missing: 0, categories: ['a', 'b'] },
  ];
  return {
    kind: 'table',
    manifest: {
      version: 1,
      kind: 'table',
      examples: rows.length,
      label_column: 'label',
      classes: ['a', 'b'],
      shards: [],
      columns,
    },
    rows: rows.map(([x, label]) => [x, label]),
    labels: Float32Array.from(rows, ([, label]) => (label === 'a' ? 0 : 1)),
  };
}

describe('appendValidation (tables)', () => {
  it('takes a validation column spelled decomposed (NFD) as the training one (NFC)', () => {
    const train = table('Gr\u00f6\u00dfe', [[1, 'a']]);
    const validation = table('Gro\u0308\u00dfe', [
      [2, 'b'],
      [3, 'a'],
    ]);
    const { raw, validation: indices } = appendValidation(train, validation);
    expect(indices).toEqual([1, 2]);
    expect(raw.kind === 'table' && raw.rows).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'a'],
    ]);
  });
});
