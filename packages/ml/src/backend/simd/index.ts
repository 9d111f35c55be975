export { heapOffset, type SimdKernels, simdKernels } from './module';
