import { type ErrorKind, TrainyardError } from '@trainyard/shared';

/**
 * `ml`'s own errors. They say what went wrong in terms of models and data, never HTTP: the API's
 * error handler maps their `kind` to a status, the trainer reports them as `job.failed`.
 */
interface MlErrorOptions {
  /** Stable, snake_case. */
  code?: string;
  /** The field or input at fault (`inputs[2].sepal_length`, `architecture.cut_layer`). */
  param?: string;
  cause?: unknown;
}

/** An input given to a model does not fit it (wrong type, shape, missing column): kind `invalid`. */
export class ModelInputError extends TrainyardError {
  override readonly kind: ErrorKind = 'invalid';
  override readonly code: string;
  constructor(message: string, options: MlErrorOptions = {}) {
    super(message, options);
    this.code = options.code ?? 'invalid_input';
  }
}

/**
 * An input that is well-formed but cannot be used (an undecodable image, too many pixels):
 * kind `unprocessable`.
 */
export class UnusableInputError extends TrainyardError {
  override readonly kind: ErrorKind = 'unprocessable';
  override readonly code: string;
  constructor(message: string, options: MlErrorOptions = {}) {
    super(message, options);
    this.code = options.code ?? 'unusable_input';
  }
}

/**
 * A model configuration that cannot be built from what it names (a cut layer the base lacks, a
 * preprocessing that does not fit the data): kind `invalid`.
 */
export class ModelConfigError extends TrainyardError {
  override readonly kind: ErrorKind = 'invalid';
  override readonly code: string;
  constructor(message: string, options: MlErrorOptions = {}) {
    super(message, options);
    this.code = options.code ?? 'invalid_model_config';
  }
}

/**
 * Data or a stored model that cannot be trained on or loaded as it is (a dataset without a
 * training manifest, a validation set with classes the training set lacks, weights that do not
 * match their manifest): kind `unprocessable`.
 */
export class DataError extends TrainyardError {
  override readonly kind: ErrorKind = 'unprocessable';
  override readonly code: string;
  constructor(message: string, options: MlErrorOptions = {}) {
    super(message, options);
    this.code = options.code ?? 'unusable_data';
  }
}

/**
 * The backend ran out of memory. `param` is `hyperparameters.batch_size`, the usual remedy.
 * `outOfMemory` tells one apart by its type, not its message.
 */
export class OutOfMemoryError extends TrainyardError {
  override readonly kind: ErrorKind = 'unprocessable';
  override readonly code = 'out_of_memory';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { param: 'hyperparameters.batch_size', ...options });
  }
}

/**
 * `error` as an `OutOfMemoryError` when it is one: ours, or the engine's own allocation failure,
 * which JavaScript raises as a `RangeError` ("Array buffer allocation failed", a WebAssembly
 * memory that cannot grow). `undefined` for any other error. Classified by type only: a message
 * can say "out of memory" about anything.
 */
export function outOfMemory(error: unknown): OutOfMemoryError | undefined {
  if (error instanceof OutOfMemoryError) return error;
  if (error instanceof RangeError) {
    return new OutOfMemoryError(
      `The backend ran out of memory (${error.message.split('\n')[0]}); lower hyperparameters.batch_size or the model size`,
      { cause: error },
    );
  }
  return undefined;
}
