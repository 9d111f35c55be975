export { adamUpdate } from './adam';
export { batchNormBackward, batchNormForward } from './batch-norm';
export { binary, binaryRepeated } from './binary';
export {
  bnMeanOfParts,
  bnNormalizationOfParts,
  bnReluPoolBackward,
  bnReluPoolCoefficientsOfParts,
  bnReluPoolForward,
  bnReluPoolGradientSums,
  bnReluPoolGradientWindows,
  bnReluPoolWindows,
  bnSums,
} from './bn-relu-pool';
export { columnSums } from './column-sums';
export { conv2dFilterGrad } from './conv2d-filter-grad';
export { conv2dForward } from './conv2d-forward';
export { denseTrainStep } from './dense-train-step';
export { dropoutForward, dropoutMask } from './dropout';
export { gruBackward, gruForward } from './gru';
export { lstmBackward, lstmForward } from './lstm';
export { matmul } from './matmul';
export { maxPoolGrad } from './max-pool-grad';
export { reluGrad } from './relu-grad';
export { gatherRows, segmentSumRows } from './rows';
