import { z } from '@hono/zod-openapi';
import { numberFormatSchema } from './number-format';

/**
 * `preprocess.json`, saved with every model: everything that turns a raw input into the model's
 * input tensor, applied by the same code in training, evaluation and inference.
 */
export const imageInputSchema = z.object({
  kind: z.literal('image'),
  height: z.number().int(),
  width: z.number().int(),
  channels: z.union([z.literal(1), z.literal(3)]),
  /** Pixels 0-255 are mapped to `(p / 255 - mean) / std` per channel. */
  mean: z.array(z.number()),
  std: z.array(z.number()),
});

export const tableColumnInputSchema = z.discriminatedUnion('type', [
  z.object({
    name: z.string(),
    type: z.literal('numeric'),
    /** Standardized as `(x - mean) / std`; a missing value becomes `mean` (0 after scaling). */
    mean: z.number(),
    std: z.number(),
    /**
     * How the training data wrote the numbers: strings are read with it (`"52,000"` is 52000);
     * absent in models saved before formats were recorded (then `.` is the decimal mark).
     */
    format: numberFormatSchema.optional(),
  }),
  z.object({
    name: z.string(),
    type: z.literal('categorical'),
    /** One-hot over these; a value not listed (or missing) is all zeros. */
    categories: z.array(z.string()),
  }),
]);
export type TableColumnInput = z.infer<typeof tableColumnInputSchema>;

export const tableInputSchema = z.object({
  kind: z.literal('table'),
  /** The feature columns in order (the label column is not one of them). */
  columns: z.array(tableColumnInputSchema),
  /** Width of the encoded feature vector. */
  features: z.number().int(),
});

/**
 * How a text is cut into words. `regex`: runs of letters and digits (the first models' tokenizer;
 * it cannot split Chinese, Japanese or Thai, which write no spaces). `intl_segmenter`: ICU word
 * boundaries (`Intl.Segmenter`, dictionary-based for CJK and Thai) after Unicode normalization.
 */
export const textTokenizerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('regex') }),
  z.object({
    type: z.literal('intl_segmenter'),
    /** BCP 47 locale given to `Intl.Segmenter` (new models: `en`, ICU's root word rules). */
    locale: z.string(),
    /** Applied to the text before segmenting and lower-casing. */
    normalization: z.enum(['NFC', 'NFKC']),
  }),
]);
export type TextTokenizer = z.infer<typeof textTokenizerSchema>;

export const textInputSchema = z.object({
  kind: z.literal('text'),
  /** Lower-cased word tokens; id 0 pads, id 1 is any word not in `vocab` (vocab[i] has id i + 2). */
  lowercase: z.boolean(),
  vocab: z.array(z.string()),
  max_length: z.number().int(),
  /** Absent in models trained before it existed: those keep `{type: "regex"}`. */
  tokenizer: textTokenizerSchema.optional(),
  /**
   * The built-in word vectors the embedding started from (`architecture.embeddings`), and how
   * many `vocab` words had one; absent when it started random. Informative: the vectors are in
   * the model's weights, and the words are looked up lower-cased as `lowercase` says.
   */
  word_vectors: z.object({ base_model: z.string(), found: z.number().int() }).optional(),
});

export const preprocessSchema = z
  .object({
    version: z.literal(1),
    task: z.enum([
      'image_classification',
      'tabular_classification',
      'tabular_regression',
      'text_classification',
    ]),
    input: z.discriminatedUnion('kind', [imageInputSchema, tableInputSchema, textInputSchema]),
    /** Classification: output index i is `labels[i]`. */
    labels: z.array(z.string()).nullable(),
    /** Regression: the model predicts `(y - mean) / std`. */
    target: z.object({ mean: z.number(), std: z.number() }).nullable(),
  })
  .openapi('Preprocess');
export type Preprocess = z.infer<typeof preprocessSchema>;
export type ImageInput = z.infer<typeof imageInputSchema>;
export type TableInput = z.infer<typeof tableInputSchema>;
export type TextInput = z.infer<typeof textInputSchema>;
