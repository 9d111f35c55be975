import { z } from '@hono/zod-openapi';
import { ValidationError } from '../errors';

/**
 * The search space of a tuning block: which job-spec fields a tuner may change, and over which
 * values. Keys are dotted paths of the job spec (`hyperparameters.learning_rate`,
 * `regularization.dropout`, `architecture.head.units`); each value says how to draw that field.
 */

/** `uniform`: any real number in `[min, max]`. `grid_points` only matters to the grid sampler. */
export const uniformParamSchema = z
  .object({
    type: z.literal('uniform'),
    min: z.number().finite(),
    max: z.number().finite(),
    grid_points: z
      .number()
      .int()
      .min(2)
      .max(1000)
      .optional()
      .openapi({
        description:
          'Evenly spaced values from min to max (both included) for the grid strategy; ' +
          'required there, ignored by the other strategies',
      }),
  })
  .strict()
  .openapi('UniformParam');

/** `log_uniform`: a real number in `[min, max]`, `min > 0`, drawn evenly on a log scale. */
export const logUniformParamSchema = z
  .object({
    type: z.literal('log_uniform'),
    min: z.number().finite().positive(),
    max: z.number().finite().positive(),
    grid_points: z
      .number()
      .int()
      .min(2)
      .max(1000)
      .optional()
      .openapi({
        description:
          'Values evenly spaced on a log scale from min to max for the grid strategy; ' +
          'required there, ignored by the other strategies',
      }),
  })
  .strict()
  .openapi('LogUniformParam');

/** `int`: `min, min + step, …` up to `max`; `step` defaults to 1. */
export const intParamSchema = z
  .object({
    type: z.literal('int'),
    min: z.number().int(),
    max: z.number().int(),
    step: z.number().int().positive().default(1),
  })
  .strict()
  .openapi('IntParam');

/** `choice`: one of the listed values (strings, numbers or booleans), all distinct. */
export const choiceParamSchema = z
  .object({
    type: z.literal('choice'),
    values: z.array(z.union([z.string(), z.number().finite(), z.boolean()])).min(1),
  })
  .strict()
  .openapi('ChoiceParam');

export const searchParamSchema = z
  .discriminatedUnion('type', [
    uniformParamSchema,
    logUniformParamSchema,
    intParamSchema,
    choiceParamSchema,
  ])
  .openapi('SearchParam');

/** A dotted path of lower-case identifiers, as the job spec's fields are named. */
const paramPathSchema = z.string().regex(/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/, {
  message: 'expected a dotted path of job-spec fields such as "hyperparameters.learning_rate"',
});

export const searchSpaceSchema = z
  .record(paramPathSchema, searchParamSchema)
  .superRefine((space, ctx) => {
    const paths = Object.keys(space);
    if (paths.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'the search space names no parameter' });
    }
    for (const path of paths) {
      const problem = rangeProblem(space[path]!);
      if (problem) ctx.addIssue({ code: 'custom', path: [path], message: `${path}: ${problem}` });
    }
  })
  .openapi('SearchSpace', {
    example: {
      'hyperparameters.learning_rate': { type: 'log_uniform', min: 1e-4, max: 1e-2 },
      'regularization.dropout': { type: 'uniform', min: 0, max: 0.5 },
      'hyperparameters.optimizer': { type: 'choice', values: ['adam', 'rmsprop'] },
    },
  });

export type UniformParam = z.infer<typeof uniformParamSchema>;
export type LogUniformParam = z.infer<typeof logUniformParamSchema>;
export type IntParam = z.infer<typeof intParamSchema>;
export type ChoiceParam = z.infer<typeof choiceParamSchema>;
export type SearchParam = z.infer<typeof searchParamSchema>;
export type SearchSpace = z.infer<typeof searchSpaceSchema>;
/** One value a tuner may give a parameter. */
export type ParamValue = string | number | boolean;

/** Why a parameter's range holds nothing to search, or `undefined` when it is fine. */
function rangeProblem(param: SearchParam): string | undefined {
  switch (param.type) {
    case 'uniform':
    case 'log_uniform':
      // A real interval with min = max is a constant, not a search: say so rather than run
      // trials that cannot differ.
      return param.min < param.max
        ? undefined
        : `empty range: min ${param.min} must be below max ${param.max}`;
    case 'int':
      return param.min <= param.max
        ? undefined
        : `empty range: min ${param.min} must not be above max ${param.max}`;
    case 'choice': {
      const seen = new Set<ParamValue>();
      for (const value of param.values) {
        if (seen.has(value)) return `values lists ${JSON.stringify(value)} twice`;
        seen.add(value);
      }
      return undefined;
    }
  }
}

/**
 * Checks that every path of `space` is one the job spec lets a tuner set. Throws a
 * `ValidationError` whose `param` is `<paramPrefix>.<path>` (default prefix
 * `tuning.search_space`) and whose message names the path and the allowed ones.
 */
export function validateSearchSpacePaths(
  space: SearchSpace,
  allowedPaths: Iterable<string>,
  options: { paramPrefix?: string } = {},
): void {
  const { paramPrefix = 'tuning.search_space' } = options;
  const allowed = new Set(allowedPaths);
  for (const path of Object.keys(space)) {
    if (allowed.has(path)) continue;
    throw new ValidationError(
      `search space path "${path}" is not a tunable field of the job spec; ` +
        `expected one of: ${[...allowed].sort().join(', ')}`,
      { param: `${paramPrefix}.${path}`, code: 'unknown_search_space_path' },
    );
  }
}
