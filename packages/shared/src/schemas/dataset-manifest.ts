import { z } from 'zod';
import { datasetSplitSchema, splitCountsSchema } from './datasets';
import { numberFormatSchema } from './number-format';

/**
 * What validation leaves for training in `datasets/<id>/normalized/manifest.json`: the examples,
 * already checked and split into shards, so that a job never re-parses the raw upload.
 */
const shard = z.object({
  /** Object key of the shard's data. */
  key: z.string(),
  examples: z.number().int(),
  bytes: z.number().int(),
  /**
   * Key of a JSON array holding each example's reference in the upload, in shard order: an
   * image's path inside the zip (string), a table row's or a text's 1-based line number in the
   * file (number). Absent from manifests written before references were kept.
   */
  references: z.string().optional(),
});

/** Images: `key` holds the encoded files back to back; `index` a JSON array of `imageIndexEntry`. */
export const imageShardSchema = shard.extend({ index: z.string() });

/**
 * [byte offset, byte length, class index, width, height, channels, split?] of one image in its
 * shard. The split is there only when the zip had split folders (the manifest then has `splits`);
 * indexes written before it have six elements.
 */
export const imageIndexEntrySchema = z.tuple([
  z.number().int(),
  z.number().int(),
  z.number().int(),
  z.number().int(),
  z.number().int(),
  z.number().int(),
  datasetSplitSchema.optional(),
]);
export type ImageIndexEntry = z.infer<typeof imageIndexEntrySchema>;

export const tableColumnSchema = z.object({
  name: z.string(),
  type: z.enum(['numeric', 'categorical', 'empty']),
  missing: z.number().int(),
  /** Categorical: the values seen, most frequent first (at most 1000). */
  categories: z.array(z.string()).optional(),
  mean: z.number().optional(),
  std: z.number().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  /** Numeric: how the cells were written (decimal mark, separators removed); absent before formats were recorded. */
  format: numberFormatSchema.optional(),
});
export type TableColumn = z.infer<typeof tableColumnSchema>;

export const datasetManifestSchema = z.discriminatedUnion('kind', [
  z.object({
    version: z.literal(1),
    kind: z.literal('images'),
    examples: z.number().int(),
    classes: z.array(z.string()),
    shards: z.array(imageShardSchema),
    /**
     * Examples per split when the zip had split folders (each index entry then names its split);
     * absent otherwise, and in manifests written before splits were read.
     */
    splits: splitCountsSchema.optional(),
  }),
  z.object({
    version: z.literal(1),
    kind: z.literal('table'),
    examples: z.number().int(),
    /** Every column, in file order; rows are JSON arrays in this order (null = missing). */
    columns: z.array(tableColumnSchema),
    label_column: z.string(),
    /** Classification: the label values, sorted. */
    classes: z.array(z.string()).optional(),
    /** JSON Lines, one row array a line. */
    shards: z.array(shard),
  }),
  z.object({
    version: z.literal(1),
    kind: z.literal('texts'),
    examples: z.number().int(),
    classes: z.array(z.string()),
    /** JSON Lines of `{"text","label"}`. */
    shards: z.array(shard),
  }),
]);
export type DatasetManifest = z.infer<typeof datasetManifestSchema>;
