import { projectOf } from '../auth/projects';
import type { Job } from '../schemas/job-resources';
import type { JobSpec } from '../schemas/jobs';
import type { JobState } from './fold';

/** The API's job object: the resolved spec, and what its events say. */
export function toJobObject(spec: JobSpec, state: JobState): Job {
  return {
    id: spec.id,
    object: 'fine_tuning.job',
    project: projectOf(spec),
    status: state.status,
    created_at: state.created_at ?? 0,
    started_at: state.started_at,
    finished_at: state.finished_at,
    dataset: spec.dataset,
    validation_dataset: spec.validation_dataset,
    validation_split: spec.validation_split,
    ...(spec.validation_source ? { validation_source: spec.validation_source } : {}),
    task: spec.task,
    base_model: spec.base_model,
    model_name: spec.model_name,
    seed: spec.seed,
    hyperparameters: spec.hyperparameters,
    architecture: spec.architecture,
    regularization: spec.regularization,
    augmentation: spec.augmentation,
    tuning: spec.tuning,
    webhook: spec.webhook,
    ...(spec.max_runtime_seconds ? { max_runtime_seconds: spec.max_runtime_seconds } : {}),
    result_model: state.result_model,
    trials: state.trials,
    error: state.error,
    attempts: state.attempts,
    backend: state.backend,
    cancel_requested: state.cancel_requested,
  };
}
