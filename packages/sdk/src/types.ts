import type { components as InferComponents } from './generated/infer-openapi';
import type { components } from './generated/openapi';

type Schemas = components['schemas'];

export type ApiKey = Schemas['ApiKey'];
export type CreateApiKey = Schemas['CreateApiKey'];
export type CreatedApiKey = Schemas['CreatedApiKey'];
export type ApiKeyRole = Schemas['ApiKeyRole'];
export type Project = Schemas['Project'];
export type CreateProject = Schemas['CreateProject'];
export type CreatedProject = Schemas['CreatedProject'];
/** `GET /v1/projects/current`: the calling key's project, and the key. */
export type CurrentProject = Schemas['CurrentProject'];
export type BaseModel = Schemas['BaseModel'];
export type CreateBaseModel = Schemas['CreateBaseModel'];
export type Dataset = Schemas['Dataset'];
export type CreateDataset = Schemas['CreateDataset'];
export type CreatedDataset = Schemas['CreatedDataset'];
export type DatasetReport = Schemas['DatasetReport'];
export type DatasetStatus = Schemas['DatasetStatus'];
export type DatasetTask = Schemas['DatasetTask'];
export type DatasetFormat = Schemas['DatasetFormat'];
export type AugmentationPreviewRequest = Schemas['AugmentationPreviewRequest'];
export type AugmentationPreview = Schemas['AugmentationPreview'];
export type FineTuningJob = Schemas['FineTuningJob'];
export type CreateFineTuningJob = Schemas['CreateFineTuningJob'];
export type CreatedFineTuningJob = Schemas['CreatedFineTuningJob'];
/** `architecture.type` of a job. */
export type ArchitectureType = Schemas['ArchitectureType'];
export type FineTuningJobPlan = Schemas['FineTuningJobPlan'];
export type JobPlanEstimate = Schemas['JobPlanEstimate'];
export type JobStatus = Schemas['JobStatus'];
/** One entry of a job's event log (`GET …/events`, and each message of the SSE stream). */
export type JobEvent = Schemas['JobEvent'];
export type EpochMetrics = Schemas['EpochMetrics'];
export type FineTuningTrial = Schemas['FineTuningTrial'];
export type FineTuningJobCheckpoint = Schemas['FineTuningJobCheckpoint'];
export type FineTuningJobMetrics = Schemas['FineTuningJobMetrics'];
export type FineTuningJobTrials = Schemas['FineTuningJobTrials'];
export type FineTuningJobCheckpoints = Schemas['FineTuningJobCheckpoints'];
/** A model's card (`GET /v1/models/{id}`). */
export type Model = Schemas['Model'];
/** A model as lists show it (`GET /v1/models`): the manifest without the card. */
export type ModelSummary = Schemas['ModelManifest'];
export type PredictResponse = InferComponents['schemas']['PredictResponse'];
export type ClassScore = InferComponents['schemas']['ClassScore'];
export type RegressionValue = InferComponents['schemas']['RegressionValue'];

/** A page of a list: `GET …?limit=&after=`. */
export interface ListPage<T> {
  readonly data: T[];
  readonly has_more: boolean;
  /** The id to pass as `after` for the next page; null on an empty page. */
  readonly last_id: string | null;
}

/** `?limit=&after=` of every list. */
export interface ListParams {
  /** Items per page, 1-100. Default 20 (the server's). */
  readonly limit?: number;
  /** Start after this id (a previous page's `last_id`). */
  readonly after?: string;
}

/** The statuses a job ends in. */
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];
