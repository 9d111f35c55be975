import { isCallerError, TrainyardError } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from './backend/errors';
import { DataError, ModelInputError, OutOfMemoryError, outOfMemory } from './errors';

describe('ml errors', () => {
  it('tells out-of-memory apart by the error’s type, never by its message', () => {
    let engine: unknown;
    try {
      new ArrayBuffer(Number.MAX_SAFE_INTEGER); // the engine's own allocation failure
    } catch (error) {
      engine = error;
    }
    expect(engine).toBeInstanceOf(RangeError);
    const oom = outOfMemory(engine);
    expect(oom).toBeInstanceOf(OutOfMemoryError);
    expect(oom).toMatchObject({ code: 'out_of_memory', param: 'hyperparameters.batch_size' });
    expect(oom!.message).toMatch(
      /^The backend ran out of memory \(.+\); lower hyperparameters\.batch_size/,
    );
    expect(oom!.cause).toBe(engine);
    // A message that merely says so is not an out-of-memory error.
    expect(outOfMemory(new Error('OOM when allocating tensor: out of memory'))).toBeUndefined();
    expect(outOfMemory(new DataError('allocation failed'))).toBeUndefined();
  });

  it('derive from the one root, with kinds the trainer and the API classify them by', () => {
    const input = new ModelInputError('inputs[0].x: expected a number; received "a"', {
      param: 'inputs[0].x',
    });
    expect(input).toBeInstanceOf(TrainyardError);
    expect(input).toMatchObject({
      kind: 'invalid',
      code: 'invalid_input',
      name: 'ModelInputError',
    });
    expect(isCallerError(input)).toBe(true);
    expect(isCallerError(new DataError('no classes'))).toBe(true);
    const backend = new BackendUnavailableError('No TensorFlow.js backend could start');
    expect(backend).toMatchObject({ kind: 'unavailable', attempts: [] });
    expect(isCallerError(backend)).toBe(false);
  });
});
