import { z } from '@hono/zod-openapi';
import { nameSchema } from './common';

export const datasetTaskSchema = z
  .enum([
    'image_classification',
    'tabular_classification',
    'tabular_regression',
    'text_classification',
  ])
  .openapi('DatasetTask');
export type DatasetTask = z.infer<typeof datasetTaskSchema>;

export const datasetFormatSchema = z
  .enum(['image_folder_zip', 'csv', 'jsonl'])
  .openapi('DatasetFormat');
export type DatasetFormat = z.infer<typeof datasetFormatSchema>;

export const datasetStatusSchema = z
  .enum(['awaiting_upload', 'validating', 'ready', 'invalid'])
  .openapi('DatasetStatus');
export type DatasetStatus = z.infer<typeof datasetStatusSchema>;

/** Which formats each task takes. */
export const formatsForTask: Record<DatasetTask, readonly DatasetFormat[]> = {
  image_classification: ['image_folder_zip'],
  tabular_classification: ['csv'],
  tabular_regression: ['csv'],
  text_classification: ['jsonl'],
};

/** `csv` on `POST /v1/datasets`: what to read the file with instead of what is sniffed from it. */
export const csvOptionsSchema = z
  .object({
    delimiter: z
      .string()
      .length(1)
      .refine((d) => !/["'\r\n]/.test(d) && !/[0-9A-Za-z]/.test(d), {
        message: 'expected one character that is not a quote, a line break, a letter or a digit',
      })
      .optional()
      .openapi({
        description: 'Field delimiter; default: sniffed among `,` `;` tab `|`',
        example: ';',
      }),
    decimal: z.enum(['.', ',']).optional().openapi({
      description: 'Decimal mark of numbers; default: sniffed (`,` in `5,2`)',
    }),
    thousands: z.enum([',', '.', ' ', "'", '']).optional().openapi({
      description:
        'The one digit-grouping separator numbers use (`""`: none); default: any of `,` `.` space `\'` other than the decimal mark',
    }),
    encoding: z.string().min(1).max(40).optional().openapi({
      description:
        'Text encoding of the file (`windows-1252`, `iso-8859-1`, `utf-16le`, …); default UTF-8 (UTF-16 when the file starts with its byte-order mark)',
      example: 'windows-1252',
    }),
  })
  .strict()
  .refine(
    (o) => o.decimal === undefined || o.thousands === undefined || o.decimal !== o.thousands,
    {
      path: ['thousands'],
      message: 'must differ from csv.decimal',
    },
  )
  .openapi('CsvOptions');
export type CsvOptions = z.infer<typeof csvOptionsSchema>;

/** The dialect validation read a CSV with (`stats.csv` of the report). */
export const csvDialectSchema = z
  .object({
    delimiter: z.string().openapi({ example: ';' }),
    quote: z.string().openapi({ example: '"' }),
    decimal: z.enum(['.', ',']),
    thousands: z
      .string()
      .nullable()
      .openapi({ description: 'The digit-grouping separator numbers used most, or null' }),
    encoding: z.string().openapi({ example: 'utf-8' }),
    sniffed: z.array(z.enum(['delimiter', 'decimal', 'encoding'])).openapi({
      description: 'Which of these were sniffed from the file rather than given in `csv`',
    }),
  })
  .openapi('CsvDialect');
export type CsvDialectStats = z.infer<typeof csvDialectSchema>;

export const createDatasetSchema = z
  .object({
    name: nameSchema(200).openapi({ example: 'flowers' }),
    task: datasetTaskSchema,
    format: datasetFormatSchema,
    label_column: z
      .string()
      .min(1)
      .optional()
      .openapi({ description: 'CSV only (required there): the column to predict' }),
    size_bytes: z.number().int().positive().optional().openapi({
      description: 'Size of the file to upload; large files get presigned multipart part URLs',
    }),
    csv: csvOptionsSchema.optional().openapi({
      description: 'CSV only: the dialect and encoding, where sniffing them is not wanted',
    }),
    merge_near_duplicate_labels: z.boolean().optional().openapi({
      description:
        'Classification: merge labels that differ only in case, surrounding or repeated white space, character width (NFKC) or trailing punctuation ("Positive", "positive ", "ｐｏｓｉｔｉｖｅ", "positive.") into their most frequent spelling (ties: the first seen); the report lists each merge. Default false: such labels are kept apart and the report warns (near_duplicate_labels)',
    }),
  })
  .strict()
  .superRefine((value, ctx) => {
    const allowed = formatsForTask[value.task];
    if (!allowed.includes(value.format)) {
      ctx.addIssue({
        code: 'custom',
        path: ['format'],
        input: value.format,
        message: `task ${value.task} takes format ${allowed.join(' or ')}`,
      });
    }
    if (value.format === 'csv' && !value.label_column) {
      ctx.addIssue({
        code: 'custom',
        path: ['label_column'],
        message: 'required when format is csv',
      });
    }
    if (value.format !== 'csv' && value.csv) {
      ctx.addIssue({
        code: 'custom',
        path: ['csv'],
        input: value.csv,
        message: `only for format csv, not ${value.format}`,
      });
    }
    if (value.task === 'tabular_regression' && value.merge_near_duplicate_labels) {
      ctx.addIssue({
        code: 'custom',
        path: ['merge_near_duplicate_labels'],
        input: value.merge_near_duplicate_labels,
        message: 'only for classification tasks; tabular_regression labels are numbers',
      });
    }
    if (value.format !== 'csv' && value.label_column) {
      ctx.addIssue({
        code: 'custom',
        path: ['label_column'],
        input: value.label_column,
        message: `only for format csv, not ${value.format}`,
      });
    }
  })
  .openapi('CreateDataset');
export type CreateDataset = z.infer<typeof createDatasetSchema>;

export const reportIssueSchema = z
  .object({
    code: z.string().openapi({ example: 'wrong_field_count' }),
    message: z.string(),
    where: z.string().optional().openapi({ example: 'line 17' }),
  })
  .openapi('DatasetReportIssue');
export type ReportIssue = z.infer<typeof reportIssueSchema>;

const numberSummary = z.object({ min: z.number(), max: z.number(), mean: z.number() });

export const columnStatsSchema = z
  .object({
    name: z.string(),
    type: z.enum(['numeric', 'categorical', 'empty']),
    missing: z.number().int(),
    distinct: z
      .number()
      .int()
      .openapi({ description: 'Distinct values seen (counted up to 1000)' }),
    numeric: numberSummary.optional(),
  })
  .openapi('ColumnStats');
export type ColumnStats = z.infer<typeof columnStatsSchema>;

/** The splits a dataset's own folders define (`train/`, `val/`, `test/` in an image zip). */
export const datasetSplitSchema = z.enum(['train', 'validation', 'test']).openapi('DatasetSplit');
export type DatasetSplit = z.infer<typeof datasetSplitSchema>;

/** Examples per split; a split the dataset does not have counts 0. */
export const splitCountsSchema = z
  .object({
    train: z.number().int(),
    validation: z.number().int(),
    test: z.number().int(),
  })
  .openapi('DatasetSplitCounts');
export type SplitCounts = z.infer<typeof splitCountsSchema>;

export const datasetStatsSchema = z
  .object({
    examples: z.number().int(),
    classes: z.record(z.string(), z.number().int()).optional(),
    label: numberSummary.optional().openapi({ description: 'Regression: the target column' }),
    images: z
      .object({
        width: numberSummary,
        height: numberSummary,
        channels: z.record(z.string(), z.number().int()),
        formats: z.record(z.string(), z.number().int()),
      })
      .optional(),
    columns: z.array(columnStatsSchema).optional(),
    csv: csvDialectSchema.optional().openapi({ description: 'CSV: how the file was read' }),
    text_length: numberSummary
      .extend({
        histogram: z
          .array(
            z.object({
              from: z.number().int().openapi({ description: 'Shortest length in it (inclusive)' }),
              to: z.number().int().openapi({ description: 'End of the bucket (exclusive)' }),
              count: z.number().int(),
            }),
          )
          .optional()
          .openapi({
            description:
              'Texts per length bucket: at most 20 contiguous buckets of one round width (1, 2, 5 × 10^k characters), empty ones included (datasets validated before it have none)',
          }),
      })
      .optional()
      .openapi({ description: 'Characters per text' }),
    duplicates: z.number().int().optional(),
    splits: splitCountsSchema.optional().openapi({
      description:
        "Image zips laid out in split folders (`train/<class>`, `val|valid|validation/<class>`, `test/<class>`): examples per split. A job validates on the validation split unless it sets validation_split or validation_dataset; the test split is never trained on and is scored as the model's `metrics.test`",
    }),
    bytes: z.number().int(),
  })
  .openapi('DatasetStats');
export type DatasetStats = z.infer<typeof datasetStatsSchema>;

export const datasetReportSchema = z
  .object({
    errors: z.array(reportIssueSchema),
    warnings: z.array(reportIssueSchema),
    stats: datasetStatsSchema.nullable(),
  })
  .openapi('DatasetReport');
export type DatasetReport = z.infer<typeof datasetReportSchema>;

export const datasetUploadSchema = z
  .discriminatedUnion('method', [
    z.object({
      method: z.literal('put'),
      url: z
        .string()
        .openapi({ description: 'Presigned: PUT the file here, no credentials needed' }),
      headers: z.record(z.string(), z.string()).openapi({
        description:
          'Headers the PUT must carry, as given (they are part of the signature): `If-None-Match: *`, so the URL writes the file once and is refused (412) after complete or a delete',
        example: { 'If-None-Match': '*' },
      }),
      expires_at: z.number().int(),
    }),
    z.object({
      method: z.literal('multipart'),
      upload_id: z.string(),
      part_size: z.number().int(),
      parts: z.array(z.object({ part_number: z.number().int(), url: z.string() })),
      expires_at: z.number().int(),
    }),
  ])
  .openapi('DatasetUpload');

/** What the platform stores in `datasets/<id>/dataset.json`, and shows. */
export const datasetSchema = z
  .object({
    id: z.string().openapi({ example: 'ds_0mfk2v8a3x7q1c9d0e2f4g' }),
    object: z.literal('dataset'),
    project: z.string().optional().openapi({
      description:
        'The project it belongs to (only keys of that project see it); records from before projects are the `default` project’s',
      example: 'default',
    }),
    name: z.string(),
    task: datasetTaskSchema,
    format: datasetFormatSchema,
    label_column: z.string().nullable(),
    csv: csvOptionsSchema.optional().openapi({ description: 'CSV options given at creation' }),
    /** Absent on datasets created before the option existed (= false). */
    merge_near_duplicate_labels: z.boolean().optional(),
    status: datasetStatusSchema,
    created_at: z.number().int(),
    updated_at: z.number().int(),
    file: z
      .object({ bytes: z.number().int(), etag: z.string().nullable() })
      .nullable()
      .openapi({ description: 'The uploaded file, once there is one' }),
    size_bytes: z.number().int().nullable().optional().openapi({
      description:
        'The size declared at creation: the presigned PUT is signed with it, and complete refuses a file of another size (422 upload_size_mismatch)',
    }),
    report: datasetReportSchema.nullable(),
  })
  .openapi('Dataset');
export type Dataset = z.infer<typeof datasetSchema>;

export const createdDatasetSchema = datasetSchema
  .extend({
    upload: datasetUploadSchema,
    api_upload: z.object({ url: z.string(), max_bytes: z.number().int() }),
  })
  .openapi('CreatedDataset');

export const completeDatasetSchema = z
  .object({
    parts: z
      .array(z.object({ part_number: z.number().int().min(1).max(10000), etag: z.string().min(1) }))
      .min(1)
      .optional()
      .openapi({ description: 'Multipart uploads: the ETag S3 returned for each part' }),
  })
  .strict()
  .openapi('CompleteDataset');
