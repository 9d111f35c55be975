import { z } from '@hono/zod-openapi';

/**
 * How the cells of a numeric column were written, as validation read them: saved on the dataset
 * manifest's column and on the model's `preprocess.json`, so that training and inference read
 * `"52,000"`, `"$12,450.00"` or `"45%"` the same way. Every field but `decimal` is descriptive
 * (what was removed); only `decimal` and `unit` change how a cell reads.
 */
export const numberFormatSchema = z
  .object({
    /** The decimal mark: `"1,234"` is 1234 with `"."`, 1.234 with `","`. */
    decimal: z.enum(['.', ',']),
    /** Digit-grouping separators removed (`","` in `52,000`, `"'"` in `1'234.50`, `" "`). */
    thousands: z.array(z.string()).optional(),
    /** Currency symbols removed (`"$"`, `"€"`). */
    currency: z.array(z.string()).optional(),
    /** A unit written with the numbers (`"kg"` in `72 kg`); cells with another unit are missing. */
    unit: z.string().optional(),
    /** Cells written `45%` were read as 0.45 (÷ 100). */
    percent: z.boolean().optional(),
    /** Accounting negatives: `(1,234)` was read as -1234. */
    parentheses: z.boolean().optional(),
  })
  .openapi('NumberFormat');
export type NumberFormat = z.infer<typeof numberFormatSchema>;
