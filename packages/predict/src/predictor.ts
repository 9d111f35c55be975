import * as tf from '@tensorflow/tfjs';
import type { Prediction, PredictOptions, Preprocess } from '@trainyard/shared/portable';
import { type EncodeOptions, encodeInputs } from './encode';
import type { PredictInputs } from './inputs';
import { toPredictions } from './outputs';
import type { ImageDecoder } from './preprocess/image';
import { vocabIndex } from './preprocess/text';

export interface PredictorOptions {
  /** Largest image, in pixels before resizing, inputs may have. Default `MAX_PREDICT_IMAGE_PIXELS`. */
  readonly maxImagePixels?: number;
  /**
   * How image files become pixels. Default `portableImageDecoder` (pure JavaScript: PNG and JPEG);
   * on Node, `sharpImageDecoder` (`@trainyard/predict/sharp`) decodes as training did.
   */
  readonly imageDecoder?: ImageDecoder;
}

/**
 * A loaded model with its preprocessing (`preprocess.json`): raw inputs in, answers out. The same
 * class serves the inference function, the edge build and downloaded models.
 */
export class Predictor {
  private readonly encodeOptions: EncodeOptions;

  constructor(
    readonly model: tf.LayersModel,
    readonly pre: Preprocess,
    options: PredictorOptions = {},
  ) {
    this.encodeOptions = {
      ...options,
      ...(pre.input.kind === 'text' ? { vocab: vocabIndex(pre.input) } : {}),
    };
  }

  /** Checks and encodes raw inputs (asynchronous: images decode off the main thread). */
  encode(inputs: PredictInputs): Promise<tf.Tensor> {
    return encodeInputs(this.pre, inputs, this.encodeOptions);
  }

  /** The model in inference mode on an encoded batch: one output row per input. */
  run(xs: tf.Tensor): Float32Array[] {
    // The tensor leaves the tidy, its values are read outside it: a tidy walks what it returns
    // for tensors to keep, key by key through a typed array (0.03 ms a request on a 3-class
    // model, a tenth of what the endpoint adds to a tabular prediction).
    const y = tf.tidy(() => this.model.predict(xs) as tf.Tensor);
    let out: Float32Array;
    try {
      out = y.dataSync() as Float32Array;
    } finally {
      y.dispose();
    }
    const count = xs.shape[0]!;
    const width = out.length / count;
    return Array.from({ length: count }, (_, i) => out.slice(i * width, (i + 1) * width));
  }

  /**
   * Answers for a batch, in order: classes best first (`top_k`, default 5; `threshold`), or
   * `[{value}]` for regression. Throws `ModelInputError` (kind `invalid`) for an input that does not
   * fit the model, `UnusableInputError` (kind `unprocessable`) for an image that cannot be used,
   * each naming the input (`inputs[2].sepal_length`) and what the model expects.
   */
  async predict(inputs: PredictInputs, options: PredictOptions = {}): Promise<Prediction[]> {
    const xs = await this.encode(inputs);
    try {
      return toPredictions(this.pre, this.run(xs), options);
    } finally {
      xs.dispose();
    }
  }

  /**
   * Answers for several encoded batches (each from `encode`, each with its own options) from one
   * run of the model over all their rows: what the inference function does with the requests to
   * one model that queued while it was busy. Each answer is the one `predict` gives for that
   * batch alone (the model is run in inference mode: no row depends on another), up to float
   * rounding where a kernel sums in another order for another batch size (convolutions, ~1e-7).
   * The caller disposes the tensors.
   */
  answerEncoded(
    batches: ReadonlyArray<{ readonly xs: tf.Tensor; readonly options?: PredictOptions }>,
  ): Prediction[][] {
    if (batches.length === 1) {
      const { xs, options } = batches[0]!;
      return [toPredictions(this.pre, this.run(xs), options ?? {})];
    }
    const all = tf.concat(
      batches.map((b) => b.xs),
      0,
    );
    try {
      const rows = this.run(all);
      let at = 0;
      return batches.map(({ xs, options }) => {
        const n = xs.shape[0]!;
        at += n;
        return toPredictions(this.pre, rows.slice(at - n, at), options ?? {});
      });
    } finally {
      all.dispose();
    }
  }

  /** Zeros through the model once, so the first prediction does not pay for kernel set-up. */
  warmUp(): void {
    const shape = this.model.inputs[0]!.shape.map((d) => d ?? 1);
    const dtype = this.pre.input.kind === 'text' ? 'int32' : 'float32';
    tf.tidy(() => (this.model.predict(tf.zeros(shape, dtype)) as tf.Tensor).dataSync());
  }

  dispose(): void {
    this.model.dispose();
  }
}
