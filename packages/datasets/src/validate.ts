import { type Dataset, type DatasetReport, keys, type Storage } from '@trainyard/shared';
import { binaryFormatOf } from './file-signature';
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
      if (dataset.format !== 'image_folder_zip') await refuseBinary(storage, dataset);
      result = await validators[dataset.format]({ storage, dataset, report, limits, size });
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
 * A CSV or JSONL dataset whose file is a zip, an image, a PDF…: one error that names what the
 * file is (its first bytes) and what to upload instead, rather than a UTF-8 error at byte 11.
 */
async function refuseBinary(storage: Storage, dataset: Dataset): Promise<void> {
  const stream = await storage.getStream(keys.datasetRaw(dataset.id), { start: 0, end: 15 });
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Uint8Array));
  const found = binaryFormatOf(Buffer.concat(parts));
  if (!found) return;
  const text = dataset.format === 'csv' ? 'CSV text' : 'JSON Lines text';
  throw new FatalDatasetError(
    'wrong_file_type',
    `The file is ${found.name} (it starts with ${found.signature}), not ${text} as format ${dataset.format} expects; ${found.hint}`,
  );
}
