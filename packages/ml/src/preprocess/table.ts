import type { TableColumn, TableInput } from '@trainyard/shared';

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
