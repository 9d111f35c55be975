export {
  hasRelaxedSimd,
  heapOffset,
  type SimdKernels,
  simdKernels,
  usesRelaxedSimd,
} from './module';
