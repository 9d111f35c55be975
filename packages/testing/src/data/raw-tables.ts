import type { RawDataset } from '@trainyard/ml';
import { cars, iris } from './tables';

/**
 * A table of numeric features and a class label, as dataset validation would normalize it
 * (column means and standard deviations in the manifest), for training without S3.
 */
export function numericTable(
  featureNames: readonly string[],
  labelColumn: string,
  rows: ReadonlyArray<{ features: readonly number[]; label: string }>,
  classes = [...new Set(rows.map((r) => r.label))].sort(),
): RawDataset {
  const columns = featureNames.map((name, c) => {
    const values = rows.map((r) => r.features[c]!);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    return { name, type: 'numeric' as const, missing: 0, mean, std };
  });
  return {
    kind: 'table',
    manifest: {
      version: 1,
      kind: 'table',
      examples: rows.length,
      label_column: labelColumn,
      classes,
      shards: [],
      columns: [
        ...columns,
        { name: labelColumn, type: 'categorical', missing: 0, categories: classes },
      ],
    },
    rows: rows.map((r) => [...r.features, r.label]),
    labels: Float32Array.from(rows, (r) => classes.indexOf(r.label)),
  };
}

/** Fisher's iris: species from the four measurements. */
export function irisTable(): RawDataset {
  const { header, rows } = iris();
  return numericTable(
    header.slice(0, 4),
    'species',
    rows.map((r) => ({ features: r.slice(0, 4) as number[], label: r[4] })),
  );
}

/**
 * vega-datasets' cars: the origin (USA, Europe, Japan) from six measurements, a small, noisy task
 * on which a wide MLP overfits. Cars with missing values are left out.
 */
export function carsOriginTable(): RawDataset {
  const names = [
    'Miles_per_Gallon',
    'Cylinders',
    'Displacement',
    'Horsepower',
    'Weight_in_lbs',
    'Acceleration',
  ] as const;
  const complete = cars().filter((c) => c.Horsepower !== null && c.Miles_per_Gallon !== null);
  return numericTable(
    names,
    'Origin',
    complete.map((c) => ({ features: names.map((k) => c[k] as number), label: c.Origin })),
    ['Europe', 'Japan', 'USA'],
  );
}
