import { type ErrorKind, TrainyardError } from '@trainyard/shared/portable';

/**
 * The errors of predicting and of reading a model's files. They say what went wrong in terms of
 * models and data, never HTTP: the API's error handler maps their `kind` to a status, the trainer
 * reports them as `job.failed`. `@trainyard/ml` re-exports them.
 */
export interface ModelErrorOptions {
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
  constructor(message: string, options: ModelErrorOptions = {}) {
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
  constructor(message: string, options: ModelErrorOptions = {}) {
    super(message, options);
    this.code = options.code ?? 'unusable_input';
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
  constructor(message: string, options: ModelErrorOptions = {}) {
    super(message, options);
    this.code = options.code ?? 'unusable_data';
  }
}
