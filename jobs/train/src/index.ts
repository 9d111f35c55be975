export { loadBaseModel } from './base-model';
export { CheckpointStore } from './checkpoints';
export { JobFailure } from './context';
export { headName, modelArgs, transferArgs } from './model-args';
export { assertInJobProject } from './project-scope';
export { runJob } from './run-job';
