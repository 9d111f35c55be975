export { batchNormBackward, batchNormForward } from './batch-norm';
export { conv2dFilterGradNarrow } from './conv2d-filter-grad';
export { maxPoolGrad } from './max-pool-grad';
export { reluGrad } from './relu-grad';
