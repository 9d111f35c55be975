export { adamUpdate } from './adam';
export { batchNormBackward, batchNormForward } from './batch-norm';
export { binary } from './binary';
export { columnSums } from './column-sums';
export { conv2dFilterGrad } from './conv2d-filter-grad';
export { dropoutMask } from './dropout';
export { matmul } from './matmul';
export { maxPoolGrad } from './max-pool-grad';
export { reluGrad } from './relu-grad';
