import { parseWrittenNumber, type TableColumn, type TableInput } from '@trainyard/shared';

/** Most categories one-hot encoded per column; rarer values count as unseen (all zeros). */
export const MAX_CATEGORIES = 100;

/** The feature encoding of a table, from the dataset manifest's column statistics. */
export function buildTableInput(columns: readonly TableColumn[], labelColumn: string): TableInput {
  const features = columns
    .filter((c) => c.name !== labelColumn && c.type !== 'empty')
    .map((c) =>
      c.type === 'numeric'
        ? {
            name: c.name,
            type: 'numeric' as const,
            mean: c.mean ?? 0,
            std: c.std && c.std > 1e-12 ? c.std : 1,
            ...(c.format ? { format: c.format } : {}),
          }
        : {
            name: c.name,
            type: 'categorical' as const,
            categories: (c.categories ?? []).slice(0, MAX_CATEGORIES),
          },
    );
  const width = features.reduce((n, c) => n + (c.type === 'numeric' ? 1 : c.categories.length), 0);
  return { kind: 'table', columns: features, features: width };
}

/** A cell as stored in the normalized shards or sent to the endpoint. */
export type Cell = string | number | boolean | null | undefined;

/**
 * Encodes one row into `out` at `offset`: numeric columns standardized (missing → 0, the mean;
 * text read with the column's number format, so `"52,000"` is 52000, and text that is not a
 * number of the column counts as missing), categorical ones one-hot (missing or unseen → zeros).
 * `get(name)` reads a cell.
 */
export function encodeRow(
  input: TableInput,
  get: (name: string) => Cell,
  out: Float32Array,
  offset = 0,
): void {
  let k = offset;
  for (const column of input.columns) {
    const value = get(column.name);
    if (column.type === 'numeric') {
      const x = parseWrittenNumber(value, column.format);
      out[k++] = x === undefined ? 0 : (x - column.mean) / column.std;
    } else {
      const text = value === null || value === undefined ? undefined : String(value).trim();
      for (const category of column.categories) out[k++] = category === text ? 1 : 0;
    }
  }
}
