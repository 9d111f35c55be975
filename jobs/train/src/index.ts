export { loadBaseModel } from './base-model';
export { CheckpointStore } from './checkpoints';
export { JobFailure } from './context';
export { runJob } from './run-job';
export { trialSpec } from './trial-spec';
