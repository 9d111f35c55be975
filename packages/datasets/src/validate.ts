import { type Dataset, type DatasetReport, keys, type Storage } from '@trainyard/shared';
import { peek } from './encoding';
import { binaryFormatOf, SIGNATURE_BYTES } from './file-signature';
import { defaultLimits, type Limits } from './limits';
import { FatalDatasetError, ReportBuilder } from './report';
import { validateCsv } from './validate-csv';
import { validateImages } from './validate-images';
import { validateJsonl } from './validate-jsonl';
import type { ValidationContext, ValidationResult } from './validation';

const validators: Record<Dataset['format'], (ctx: ValidationContext) => Promise<ValidationResult>> =
  {
    image_folder_zip: validateImages,
    csv: validateCsv,
    jsonl: validateJsonl,
  };

export interface ValidationOutcome {
  readonly status: 'ready' | 'invalid';
  readonly report: DatasetReport;
}

/**
 * Validates the uploaded file of `dataset` and, when it has no errors, publishes the normalized
 * shards and then their manifest (the manifest last: a reader that sees it sees whole shards).
 * With errors, everything under `normalized/` is removed again.
 */
export async function validateDataset(
  storage: Storage,
  dataset: Dataset,
  size: number,
  limits: Limits = defaultLimits,
): Promise<ValidationOutcome> {
  const report = new ReportBuilder(limits.issuesPerCode);
  const normalized = keys.datasetNormalized(dataset.id);
  await storage.deletePrefix(normalized);
  let result: ValidationResult | undefined;
  if (size === 0) {
    report.error('empty_file', 'The uploaded file is empty');
  } else {
    try {
      const source =
        dataset.format === 'image_folder_zip' ? undefined : await openText(storage, dataset);
      result = await validators[dataset.format]({ storage, dataset, report, limits, size, source });
    } catch (error) {
      if (!(error instanceof FatalDatasetError)) throw error;
      report.error(error.code, error.message, error.where);
    }
  }
  if (report.hasErrors || !result?.manifest) {
    await storage.deletePrefix(normalized);
    return { status: 'invalid', report: report.build(result?.stats ?? null) };
  }
  await storage.putJson(keys.datasetManifest(dataset.id), result.manifest);
  return { status: 'ready', report: report.build(result.stats) };
}

/**
 * Opens a CSV or JSONL dataset's file and checks its first bytes: a zip, an image, a PDF… gets
 * one error that names what the file is and what to upload instead, rather than a UTF-8 error at
 * byte 11. Returns the file's bytes from the start (the checked head included): one S3 GET.
 * Throws `FatalDatasetError` `wrong_file_type`.
 */
async function openText(storage: Storage, dataset: Dataset): Promise<AsyncIterable<Uint8Array>> {
  const file = await storage.getStream(keys.datasetRaw(dataset.id));
  const { head, stream } = await peek(file, SIGNATURE_BYTES);
  const found = binaryFormatOf(head);
  if (!found) return stream;
  file.destroy();
  const text = dataset.format === 'csv' ? 'CSV text' : 'JSON Lines text';
  throw new FatalDatasetError(
    'wrong_file_type',
    `The file is ${found.name} (it starts with ${found.signature}), not ${text} as format ${dataset.format} expects; ${found.hint}`,
  );
}
