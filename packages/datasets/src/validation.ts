import type { Dataset, DatasetManifest, DatasetStats, Storage } from '@trainyard/shared';
import type { Limits } from './limits';
import type { ReportBuilder } from './report';

/** What each format's validator gets. */
export interface ValidationContext {
  readonly storage: Storage;
  readonly dataset: Dataset;
  readonly report: ReportBuilder;
  readonly limits: Limits;
  /** Bytes of the uploaded file. */
  readonly size: number;
  /**
   * For the text formats (csv, jsonl): the uploaded file's bytes from its start, already opened
   * (its first bytes were checked for a binary signature), so the file is read from S3 once.
   */
  readonly source?: AsyncIterable<Uint8Array>;
}

/** Stats for the report, and the manifest for training when there were no errors. */
export interface ValidationResult {
  readonly stats: DatasetStats;
  readonly manifest: DatasetManifest | undefined;
}
