import { parseWrittenNumber, type TableInput } from '@trainyard/shared/portable';

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
