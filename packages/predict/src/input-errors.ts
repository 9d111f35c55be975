import type { Preprocess } from '@trainyard/shared/portable';
import { ModelInputError, UnusableInputError } from './errors';
import { describeInputSpec } from './spec';

/** A bad input (kind `invalid`): naming the input, what it held and what this model expects. */
export function invalidInput(pre: Preprocess, param: string, problem: string): ModelInputError {
  return new ModelInputError(`${param}: ${problem}; this model expects ${describeInputSpec(pre)}`, {
    code: 'invalid_input',
    param,
  });
}

/**
 * An image input that is well-formed but cannot be used: a format this platform does not
 * decode (HEIC, …), a truncated or corrupt file or no image at all, too many pixels.
 */
export function unusableImage(
  pre: Preprocess,
  param: string,
  code: 'undecodable_image' | 'unsupported_image_format' | 'image_too_large',
  problem: string,
): UnusableInputError {
  return new UnusableInputError(
    `${param}: ${problem}; this model expects ${describeInputSpec(pre)}`,
    { code, param },
  );
}
