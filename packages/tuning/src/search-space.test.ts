import { searchSpaceSchema, ValidationError, validateSearchSpacePaths } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';

describe('searchSpaceSchema', () => {
  it('accepts the four parameter types keyed by job-spec paths, with int step defaulting to 1', () => {
    const space = searchSpaceSchema.parse({
      'hyperparameters.learning_rate': { type: 'log_uniform', min: 1e-4, max: 1e-2 },
      'regularization.dropout': { type: 'uniform', min: 0, max: 0.5 },
      'hyperparameters.optimizer': { type: 'choice', values: ['adam', 'rmsprop'] },
      'architecture.head.units': { type: 'int', min: 32, max: 256 },
    });
    expect(space['architecture.head.units']).toEqual({ type: 'int', min: 32, max: 256, step: 1 });
  });

  it.each([
    ['uniform', { type: 'uniform', min: 0.5, max: 0.1 }, 'min 0.5 must be below max 0.1'],
    ['uniform with min = max', { type: 'uniform', min: 0.3, max: 0.3 }, 'empty range'],
    ['log_uniform', { type: 'log_uniform', min: 1e-2, max: 1e-4 }, 'empty range'],
    ['int', { type: 'int', min: 10, max: 2 }, 'min 10 must not be above max 2'],
  ])('rejects an empty %s range with a message naming the path', (_, param, fragment) => {
    const result = searchSpaceSchema.safeParse({ 'regularization.dropout': param });
    expect(result.success).toBe(false);
    const issue = result.error!.issues[0]!;
    expect(issue.path).toEqual(['regularization.dropout']);
    expect(issue.message).toContain('regularization.dropout: ');
    expect(issue.message).toContain(fragment);
  });

  it('rejects log_uniform with min <= 0, empty or repeated choices, and an empty space', () => {
    const bad = [
      { 'hyperparameters.learning_rate': { type: 'log_uniform', min: 0, max: 1 } },
      { 'hyperparameters.optimizer': { type: 'choice', values: [] } },
      { 'hyperparameters.optimizer': { type: 'choice', values: ['adam', 'adam'] } },
      { 'hyperparameters.epochs': { type: 'int', min: 1, max: 5, step: 0 } },
      { 'Not A Path': { type: 'uniform', min: 0, max: 1 } },
      {},
    ];
    for (const space of bad) expect(searchSpaceSchema.safeParse(space).success).toBe(false);
  });
});

describe('validateSearchSpacePaths', () => {
  const space = searchSpaceSchema.parse({
    'regularization.dropout': { type: 'uniform', min: 0, max: 0.5 },
    'hyperparameters.warp_speed': { type: 'int', min: 1, max: 9 },
  });

  it('passes when every path is allowed', () => {
    expect(() =>
      validateSearchSpacePaths(space, ['regularization.dropout', 'hyperparameters.warp_speed']),
    ).not.toThrow();
  });

  it('throws a ValidationError whose param and message name the unknown path', () => {
    let error: unknown;
    try {
      validateSearchSpacePaths(space, ['regularization.dropout', 'hyperparameters.learning_rate']);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).param).toBe('tuning.search_space.hyperparameters.warp_speed');
    expect((error as ValidationError).message).toContain('"hyperparameters.warp_speed"');
    expect((error as ValidationError).message).toContain('hyperparameters.learning_rate');
  });

  it('says which tunable path a misspelt one most likely meant', () => {
    const typo = searchSpaceSchema.parse({
      'augmentation.downscal': { type: 'uniform', min: 0, max: 0.9 },
    });
    expect(() =>
      validateSearchSpacePaths(typo, ['augmentation.downscale', 'augmentation.zoom']),
    ).toThrow('did you mean "augmentation.downscale"?');
    // Far from every path: no guess.
    expect(() => validateSearchSpacePaths(space, ['augmentation.zoom'])).not.toThrow(
      /did you mean/,
    );
  });

  it('says a log_uniform min of 0 once, not as a second "received"', () => {
    const result = searchSpaceSchema.safeParse({
      'hyperparameters.learning_rate': { type: 'log_uniform', min: 0, max: 1 },
    });
    const message = result.error!.issues[0]!.message;
    expect(message).toContain('a log_uniform range needs min > 0 (its min is 0)');
    expect(message.match(/received/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });
});
