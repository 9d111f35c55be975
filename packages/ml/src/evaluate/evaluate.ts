import * as tf from '@tensorflow/tfjs';
import type { EncodedDataset } from '../data/encode';
import { correctOf, lossOf } from '../train/loss';

export interface Evaluation {
  readonly loss: number;
  readonly accuracy: number | null;
  /** Per example: the model's output row (class probabilities, or the standardized value). */
  readonly outputs: Float32Array[];
}

/** The model in inference mode over `indices`, batch by batch (dropout off, batch norm frozen). */
export function evaluate(
  model: tf.LayersModel,
  data: EncodedDataset,
  indices: readonly number[],
  batchSize = 256,
): Evaluation {
  const classification = data.classes !== null;
  let loss = 0;
  let correct = 0;
  const outputs: Float32Array[] = [];
  for (let at = 0; at < indices.length; at += batchSize) {
    const slice = indices.slice(at, at + batchSize);
    const batch = data.batch(slice);
    const [l, c, preds] = tf.tidy(() => {
      const p = model.predict(batch.xs) as tf.Tensor;
      return [
        lossOf(classification, batch.ys, p).mul(slice.length).dataSync()[0]!,
        classification ? correctOf(batch.ys, p).dataSync()[0]! : 0,
        p.dataSync() as Float32Array,
      ];
    });
    tf.dispose([batch.xs, batch.ys]);
    loss += l;
    correct += c;
    const width = preds.length / slice.length;
    for (let i = 0; i < slice.length; i++) outputs.push(preds.slice(i * width, (i + 1) * width));
  }
  return {
    loss: loss / indices.length,
    accuracy: classification ? correct / indices.length : null,
    outputs,
  };
}
