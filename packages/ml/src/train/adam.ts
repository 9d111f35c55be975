import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE } from '../backend/kernels/adam-update';

/** The state tfjs's AdamOptimizer keeps (not public in its typings). */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

/**
 * tfjs's AdamOptimizer with each variable's step as one kernel on wasm (`TrainyardAdamUpdate`)
 * instead of ~14: the same state, arithmetic, saved weights and class name ('Adam'), so checkpoints
 * and Keras-style serialization are unchanged. Other backends run tfjs's own code.
 */
export class Adam extends tf.AdamOptimizer {
  /**
   * β1ᵗ and β2ᵗ after fused steps, as float32 numbers, while `accBeta1`/`accBeta2` lag behind
   * (fused steps keep them here rather than running kernels for them); `null` when in step.
   */
  private betaPowers: [number, number] | null = null;

  override applyGradients(variableGradients: VariableGradients): void {
    this.syncBetaPowers();
    if (tf.getBackend() !== 'wasm') {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    tf.tidy(() => {
      // 1 − β^t as tfjs computes it: in float32, from the float32 accumulators.
      const c1 = Math.fround(1 - state.accBeta1.dataSync()[0]!);
      const c2 = Math.fround(1 - state.accBeta2.dataSync()[0]!);
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        state.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        state.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i]!.tensor
          : variableGradients[name];
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i]!.variable;
        const v = state.accumulatedSecondMoment[i]!.variable;
        const [newValue, newM, newV] = tf.engine().runKernel(
          ADAM_UPDATE,
          { value, m, v, gradient },
          {
            learningRate: this.learningRate,
            beta1: this.beta1,
            beta2: this.beta2,
            epsilon: this.epsilon,
            c1,
            c2,
          },
        ) as tf.Tensor[];
        m.assign(newM!);
        v.assign(newV!);
        value.assign(newValue!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  /**
   * The moments of `variables` (created as `applyGradients` creates them, by position: pass the
   * variables in the order the generic path would, the model's trainable weights) and this step's
   * constants, for a kernel that runs the Adam step itself. Call `completeFusedStep` after it.
   */
  fusedStepState(variables: tf.Variable[]): AdamStepState {
    const state = this as unknown as AdamState;
    const m: tf.Variable[] = [];
    const v: tf.Variable[] = [];
    variables.forEach((value, i) => {
      state.accumulatedFirstMoment[i] ??= {
        originalName: `${value.name}/m`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      state.accumulatedSecondMoment[i] ??= {
        originalName: `${value.name}/v`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      m.push(state.accumulatedFirstMoment[i]!.variable);
      v.push(state.accumulatedSecondMoment[i]!.variable);
    });
    return {
      m,
      v,
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      c1: Math.fround(1 - this.currentBetaPowers()[0]),
      c2: Math.fround(1 - this.currentBetaPowers()[1]),
    };
  }

  /**
   * Advances the step count and β powers after a fused step, as `applyGradients` does (the
   * powers in float32 as tfjs's Multiply computes them, kept as numbers until a generic step or
   * `setWeights` needs the variables).
   */
  completeFusedStep(): void {
    const [p1, p2] = this.currentBetaPowers();
    this.betaPowers = [
      Math.fround(p1 * Math.fround(this.beta1)),
      Math.fround(p2 * Math.fround(this.beta2)),
    ];
    this.incrementIterations();
  }

  override async setWeights(
    weightValues: Parameters<tf.AdamOptimizer['setWeights']>[0],
  ): Promise<void> {
    this.betaPowers = null; // tfjs recomputes the powers from the restored step count
    await super.setWeights(weightValues);
  }

  private currentBetaPowers(): [number, number] {
    if (this.betaPowers) return this.betaPowers;
    const state = this as unknown as AdamState;
    return [state.accBeta1.dataSync()[0]!, state.accBeta2.dataSync()[0]!];
  }

  /** Writes powers kept as numbers back into tfjs's variables, for its own code to read. */
  private syncBetaPowers(): void {
    if (!this.betaPowers) return;
    const state = this as unknown as AdamState;
    const [p1, p2] = this.betaPowers;
    tf.tidy(() => {
      state.accBeta1.assign(tf.scalar(p1));
      state.accBeta2.assign(tf.scalar(p2));
    });
    this.betaPowers = null;
  }
}

/** What a fused training step needs from `Adam` for its variables (see `fusedStepState`). */
export interface AdamStepState {
  /** First and second moments, one per variable, in the order asked for. */
  m: tf.Variable[];
  v: tf.Variable[];
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 − β1ᵗ and 1 − β2ᵗ of this step. */
  c1: number;
  c2: number;
}

/** `tf.train.adam`, with the faster step above on wasm. */
export function adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999): Adam {
  return new Adam(learningRate, beta1, beta2);
}
