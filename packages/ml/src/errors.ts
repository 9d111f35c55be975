import type { ModelErrorOptions } from '@trainyard/predict';
import { type ErrorKind, TrainyardError } from '@trainyard/shared';

export { DataError, ModelInputError, UnusableInputError } from '@trainyard/predict';

type MlErrorOptions = ModelErrorOptions;

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
