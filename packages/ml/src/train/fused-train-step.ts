import type * as tf from '@tensorflow/tfjs';
import { fusedDenseStep } from './fused-dense-step';
import { fusedSequentialStep } from './fused-sequential-step';
import type { FusedStepResult } from './fused-step-result';

/**
 * The fused training step that covers `model` on wasm: `fusedDenseStep` for a chain of dense
 * layers (one wasm call a step), else `fusedSequentialStep` (convolutions, batch norm, pooling,
 * dropout and dense layers, one tfjs kernel a step), or `null` when neither does (another
 * backend, optimizer or layer): callers then take tfjs's generic path. Same arguments and result
 * as those two.
 */
export function fusedTrainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): ((x: tf.Tensor, labels: tf.Tensor) => FusedStepResult) | null {
  return fusedDenseStep(model, optimizer) ?? fusedSequentialStep(model, optimizer);
}
