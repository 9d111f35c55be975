export { adamUpdate } from './adam';
export { dropoutMask } from './dropout';
export { batchNormBackward, batchNormForward } from './batch-norm';
export { conv2dFilterGrad } from './conv2d-filter-grad';
export { maxPoolGrad } from './max-pool-grad';
export { reluGrad } from './relu-grad';
