import * as tf from '@tensorflow/tfjs';
import type { Hyperparameters } from '@trainyard/shared';
import { adam } from './adam';

/**
 * The optimizer a spec names, at learning rate `lr`. `adamw` is Adam here; its decoupled weight
 * decay is applied after each step by the training loop (`decayWeights`), as Loshchilov & Hutter
 * define it, not folded into the gradient like L2.
 */
export function makeOptimizer(hp: Hyperparameters, lr: number): tf.Optimizer {
  switch (hp.optimizer) {
    case 'sgd':
      return hp.momentum > 0 ? tf.train.momentum(lr, hp.momentum) : tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, hp.momentum || 0.9);
    case 'adam':
    case 'adamw':
      return adam(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr);
    case 'adagrad':
      return tf.train.adagrad(lr);
  }
}

/** Sets the learning rate an optimizer uses from its next step on. */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/**
 * The learning rate of `epoch` (0-based) out of `epochs`: linear warm-up over `warmup_epochs`,
 * then constant, stepped (× gamma every step_size epochs) or cosine-annealed to `min_lr`.
 */
export function learningRateAt(
  hp: Hyperparameters,
  base: number,
  epoch: number,
  epochs: number,
): number {
  const s = hp.lr_schedule;
  if (epoch < s.warmup_epochs) return (base * (epoch + 1)) / (s.warmup_epochs + 1);
  const e = epoch - s.warmup_epochs;
  const span = Math.max(1, epochs - s.warmup_epochs - 1);
  switch (s.type) {
    case 'constant':
      return base;
    case 'step':
      return base * s.gamma ** Math.floor(e / s.step_size);
    case 'cosine':
      return (
        s.min_lr + ((base - s.min_lr) * (1 + Math.cos((Math.PI * Math.min(e, span)) / span))) / 2
      );
  }
}
