import * as tf from '@tensorflow/tfjs';
import {
  BATCH_NORM_TRAINING,
  BATCH_NORM_TRAINING_GRAD,
} from '../backend/kernels/batch-norm-training';
import { callArgsFor } from './frozen';
import { replaceTfjsLayerClass, tfjsLayerClass } from './tfjs-classes';

type BatchNormalizationArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;

interface LayerVariable {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}

/** The fields of tfjs-layers' BatchNormalization that the training path below reads. */
interface BatchNormalizationLayer extends tf.layers.Layer {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: LayerVariable;
  beta: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

const TfjsBatchNormalization = tfjsLayerClass<BatchNormalizationLayer, BatchNormalizationArgs>(
  'BatchNormalization',
);

/**
 * y, the batch mean and the batch variance of batch normalization over the last axis, with one
 * gradient for x, gamma and beta at once; wasm only (its kernels are ours). The mean and variance
 * are kept out of the caller's tidy: dispose them.
 */
function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  let statistics: [tf.Tensor, tf.Tensor] | undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, variance] = tf
      .engine()
      .runKernel(
        BATCH_NORM_TRAINING,
        { x: input!, gamma: g!, beta: b! },
        { epsilon },
      ) as tf.Tensor[];
    save([input!, mean!, variance!, g!]);
    statistics = [tf.keep(mean!), tf.keep(variance!)];
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sMean, sVariance, sGamma] = saved;
        return tf
          .engine()
          .runKernel(
            BATCH_NORM_TRAINING_GRAD,
            { dy: dy as tf.Tensor, x: sx!, mean: sMean!, variance: sVariance!, gamma: sGamma! },
            { epsilon },
          ) as tf.Tensor[];
      },
    };
  });
  const y = op(x, gamma, beta);
  const [mean, variance] = statistics!;
  return { y, mean, variance };
}

/**
 * tfjs-layers' BatchNormalization with a faster training step on the wasm backend: statistics,
 * normalization and the gradients as two kernels of ours instead of ~40 tfjs ops. Inference, other
 * backends and layouts it does not cover (normalizing another axis than the last, no scale or no
 * center) run tfjs's own code. A frozen layer (`trainable` false) runs in inference mode even in a
 * training step, on every backend, as in Keras (see `callArgsFor`). Registered under tfjs's class name, so saved models stay plain
 * `BatchNormalization` layers, and models loaded in this process (checkpoints, bases) get it too.
 */
export class BatchNormalization extends TfjsBatchNormalization {
  static className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], args: Record<string, unknown>) {
    // Frozen (trainable false): inference mode, moving statistics used and left as they are.
    const kwargs = callArgsFor(this, args);
    const input = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (!this.scale || !this.center) return this.callWithoutScaleOrCenter(input, kwargs);
    const lastAxis = this.axis === -1 || this.axis === input.rank - 1;
    const fast =
      kwargs.training === true &&
      tf.getBackend() === 'wasm' &&
      input.dtype === 'float32' &&
      lastAxis &&
      this.center &&
      this.scale;
    if (!fast) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTraining(
        input,
        this.gamma.read(),
        this.beta.read(),
        this.epsilon,
      );
      this.moveStatistics(mean, variance);
      mean.dispose();
      variance.dispose();
      return y;
    });
  }

  /** As tfjs-layers does: moving ← moving − (moving − batch)·(1 − momentum), for both statistics. */
  private moveStatistics(mean: tf.Tensor, variance: tf.Tensor): void {
    for (const [moving, batch] of [
      [this.movingMean, mean],
      [this.movingVariance, variance],
    ] as const) {
      tf.tidy(() => {
        const current = moving.read();
        moving.write(tf.sub(current, tf.mul(tf.sub(current, batch), 1 - this.momentum)));
      });
    }
  }

  /**
   * A layer without gamma (`scale` false, as InceptionV3's) or without beta (`center` false):
   * tfjs-layers' own code cannot be differentiated then (in inference mode it passes an undefined
   * scale or offset to `tf.batchNorm`, which the gradient tape cannot save; in training mode it
   * reads the missing variable), so any training step through such a layer, frozen or not,
   * crashed. Here the missing one is a constant (ones, zeros) and the rest is tfjs's arithmetic:
   * inference normalizes with the moving statistics; training with the batch's (`tf.moments` over
   * every axis but `axis`) and moves the moving ones as tfjs-layers does.
   */
  private callWithoutScaleOrCenter(input: tf.Tensor, kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const rank = input.rank;
      const axis = this.axis >= 0 ? this.axis : this.axis + rank;
      const channels = input.shape[axis]!;
      const shape = input.shape.map((d, i) => (i === axis ? d : 1));
      const fit = (t: tf.Tensor) => (axis === rank - 1 ? t : t.reshape(shape));
      const gamma = fit(this.scale ? this.gamma.read() : tf.ones([channels]));
      const beta = fit(this.center ? this.beta.read() : tf.zeros([channels]));
      if (kwargs.training !== true) {
        const mean = fit(this.movingMean.read());
        const variance = fit(this.movingVariance.read());
        return tf.batchNorm(input, mean, variance, beta, gamma, this.epsilon);
      }
      const axes = input.shape.map((_, i) => i).filter((i) => i !== axis);
      const { mean, variance } = tf.moments(input, axes);
      this.moveStatistics(mean, variance);
      return tf.batchNorm(input, fit(mean), fit(variance), beta, gamma, this.epsilon);
    });
  }
}
replaceTfjsLayerClass(BatchNormalization);

/** `tf.layers.batchNormalization` with the faster training step above. */
export function batchNormalization(args: BatchNormalizationArgs): BatchNormalization {
  return new BatchNormalization(args);
}
