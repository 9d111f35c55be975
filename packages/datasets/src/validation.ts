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
}

/** Stats for the report, and the manifest for training when there were no errors. */
export interface ValidationResult {
  readonly stats: DatasetStats;
  readonly manifest: DatasetManifest | undefined;
}
