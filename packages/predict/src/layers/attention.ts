import * as tf from '@tensorflow/tfjs';

type Kwargs = Record<string, unknown>;

/**
 * What the layers do only in training steps, set by the trainer (`@trainyard/ml` puts in its wasm
 * dropout kernel and its frozen-layer rule): inference never calls these, so predicting needs
 * nothing from the trainer. Defaults: `tf.dropout`, and the call arguments as given.
 */
export interface AttentionTraining {
  dropout(x: tf.Tensor, rate: number): tf.Tensor;
  /** The call arguments a layer runs with (a frozen layer runs in inference mode). */
  callArgs(layer: tf.layers.Layer, kwargs: Kwargs): Kwargs;
}

const training: AttentionTraining = {
  dropout: (x, rate) => tf.dropout(x, rate),
  callArgs: (_layer, kwargs) => kwargs,
};

/** Replaces the training-time behaviour of the attention layers (`AttentionTraining`). */
export function setAttentionTraining(hooks: Partial<AttentionTraining>): void {
  Object.assign(training, hooks);
}

const init = () => tf.initializers.glorotUniform({});

function one(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0]! : inputs;
}

/**
 * Token embedding plus a learnt position embedding (TensorFlow.js has no such layer). Serializable:
 * registered under its class name so that saved models load anywhere this module is imported.
 */
export class TokenAndPositionEmbedding extends tf.layers.Layer {
  static className = 'TrainyardTokenAndPositionEmbedding';
  private readonly vocabulary: number;
  private readonly maxLength: number;
  private readonly dim: number;
  /** False: the token embeddings stay as they are (pretrained word vectors, frozen). */
  private trainableTokens: boolean;
  private tokens!: tf.LayerVariable;
  private positions!: tf.LayerVariable;

  constructor(config: {
    vocabulary: number;
    maxLength: number;
    dim: number;
    name?: string;
    trainableTokens?: boolean;
  }) {
    super(config);
    this.vocabulary = config.vocabulary;
    this.maxLength = config.maxLength;
    this.dim = config.dim;
    this.trainableTokens = config.trainableTokens ?? true;
  }

  override build(): void {
    const uniform = tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05 });
    this.tokens = this.addWeight(
      'tokens',
      [this.vocabulary, this.dim],
      'float32',
      uniform,
      undefined,
      this.trainableTokens,
    );
    this.positions = this.addWeight('positions', [this.maxLength, this.dim], 'float32', uniform);
    this.built = true;
  }

  /**
   * Replaces the token embeddings with `matrix` (`[vocabulary, dim]`) and sets whether training
   * changes them (the position embeddings always train). Throws when the shape differs.
   */
  setTokens(matrix: tf.Tensor2D, trainable: boolean): void {
    this.tokens.write(matrix);
    this.tokens.trainable = trainable;
    this.trainableTokens = trainable;
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(shape[0]) ? shape[0] : shape) as tf.Shape;
    return [s[0]!, s[1]!, this.dim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const ids = one(inputs).toInt();
      const length = ids.shape[1]!;
      const tokens = tf.gather(this.tokens.read(), ids);
      return tokens.add(this.positions.read().slice([0, 0], [length, this.dim]).expandDims(0));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      vocabulary: this.vocabulary,
      maxLength: this.maxLength,
      dim: this.dim,
      trainableTokens: this.trainableTokens,
    };
  }
}

/**
 * One transformer encoder block (Vaswani et al. 2017, post-norm): multi-head self-attention and
 * a ReLU feed-forward network, each with dropout, a residual connection and layer normalization.
 */
export class TransformerEncoderBlock extends tf.layers.Layer {
  static className = 'TrainyardTransformerEncoderBlock';
  private readonly dim: number;
  private readonly heads: number;
  private readonly ff: number;
  private readonly rate: number;
  private w: Record<string, tf.LayerVariable> = {};

  constructor(config: { dim: number; heads: number; ff: number; rate: number; name?: string }) {
    super(config);
    this.dim = config.dim;
    this.heads = config.heads;
    this.ff = config.ff;
    this.rate = config.rate;
  }

  override build(): void {
    const d = this.dim;
    const zeros = tf.initializers.zeros();
    const ones = tf.initializers.ones();
    for (const name of ['wq', 'wk', 'wv', 'wo'])
      this.w[name] = this.addWeight(name, [d, d], 'float32', init());
    this.w.bo = this.addWeight('bo', [d], 'float32', zeros);
    this.w.w1 = this.addWeight('w1', [d, this.ff], 'float32', init());
    this.w.b1 = this.addWeight('b1', [this.ff], 'float32', zeros);
    this.w.w2 = this.addWeight('w2', [this.ff, d], 'float32', init());
    this.w.b2 = this.addWeight('b2', [d], 'float32', zeros);
    for (const n of ['1', '2']) {
      this.w[`gamma${n}`] = this.addWeight(`gamma${n}`, [d], 'float32', ones);
      this.w[`beta${n}`] = this.addWeight(`beta${n}`, [d], 'float32', zeros);
    }
    this.built = true;
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(shape[0]) ? shape[0] : shape) as tf.Shape;
  }

  private norm(x: tf.Tensor, n: string): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    return x
      .sub(mean)
      .div(variance.add(1e-6).sqrt())
      .mul(this.w[`gamma${n}`]!.read())
      .add(this.w[`beta${n}`]!.read());
  }

  private dense(x2d: tf.Tensor, w: string, b?: string): tf.Tensor {
    const y = tf.matMul(x2d as tf.Tensor2D, this.w[w]!.read() as tf.Tensor2D);
    return b ? y.add(this.w[b]!.read()) : y;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = one(inputs);
      const [batch, length] = [x.shape[0]!, x.shape[1]!];
      const d = this.dim;
      const h = this.heads;
      const dh = d / h;
      // Frozen (a transfer base): no dropout in training steps either (`AttentionTraining.callArgs`).
      const inTraining = training.callArgs(this, kwargs).training === true;
      const drop = (t: tf.Tensor) =>
        inTraining && this.rate > 0 ? training.dropout(t, this.rate) : t;
      const flat = x.reshape([batch * length, d]);
      // [B·L, D] → [B, H, L, Dh]
      const split = (t: tf.Tensor) => t.reshape([batch, length, h, dh]).transpose([0, 2, 1, 3]);
      const q = split(this.dense(flat, 'wq'));
      const k = split(this.dense(flat, 'wk'));
      const v = split(this.dense(flat, 'wv'));
      const scores = tf.matMul(q, k, false, true).div(Math.sqrt(dh));
      const weights = drop(tf.softmax(scores, -1));
      const attended = tf
        .matMul(weights, v)
        .transpose([0, 2, 1, 3])
        .reshape([batch * length, d]);
      const out = this.dense(attended, 'wo', 'bo').reshape([batch, length, d]);
      const x1 = this.norm(x.add(drop(out)), '1');
      const hidden = tf.relu(this.dense(x1.reshape([batch * length, d]), 'w1', 'b1'));
      const ffn = this.dense(hidden, 'w2', 'b2').reshape([batch, length, d]);
      return this.norm(x1.add(drop(ffn)), '2');
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), dim: this.dim, heads: this.heads, ff: this.ff, rate: this.rate };
  }
}

tf.serialization.registerClass(TokenAndPositionEmbedding);
tf.serialization.registerClass(TransformerEncoderBlock);
