import { z } from '@hono/zod-openapi';
import { closest, distance } from 'fastest-levenshtein';
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

/**
 * `log_uniform`: a real number in `[min, max]`, `min > 0`, drawn evenly on a log scale. (`min > 0`
 * is checked with the search space, after the field's own bounds, so that a rate below zero is
 * reported against the field it would be given to.)
 */
export const logUniformParamSchema = z
  .object({
    type: z.literal('log_uniform'),
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

/**
 * The schema a tuned field has in a job request (`hyperparameters.learning_rate` →
 * `z.number().gt(0).max(10)`), or `undefined` for a path that is not a field.
 */
export type FieldSchemaOf = (path: string) => z.ZodType | undefined;

/**
 * A search space whose values are checked, given `fieldSchemaOf`, against each field's own
 * schema: the ends of every range and every choice are parsed as a trial would give them to the
 * field (`coerceSearchValue`), so that no trial runs with a value a user could not have asked
 * for. Issues of a value sit at `[path, 'min' | 'max' | 'values', i | 'type']`.
 */
export function createSearchSpaceSchema(fieldSchemaOf?: FieldSchemaOf) {
  return z.record(paramPathSchema, searchParamSchema).superRefine((space, ctx) => {
    const paths = Object.keys(space);
    if (paths.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'the search space names no parameter' });
    }
    for (const path of paths) {
      const param = space[path]!;
      const field = fieldSchemaOf?.(path);
      const outside = field ? valueProblems(path, param, field) : [];
      for (const { at, value, message } of outside) {
        ctx.addIssue({ code: 'custom', path: [path, ...at], message, input: value });
      }
      if (outside.length > 0) continue;
      const problem = rangeProblem(param);
      if (problem) {
        ctx.addIssue({
          code: 'custom',
          path: [path],
          message: `${path}: ${problem}`,
          input: param,
        });
      }
    }
  });
}

/** A search space over any paths (the tuning package's own); jobs check values too (`jobs.ts`). */
export const searchSpaceSchema = createSearchSpaceSchema();

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
    case 'log_uniform':
      if (param.min <= 0) return `a log_uniform range needs min > 0 (its min is ${param.min})`;
      return param.min < param.max
        ? undefined
        : `empty range: min ${param.min} must be below max ${param.max}`;
    case 'uniform':
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
    const near = closest(path, [...allowed]);
    const hint = distance(path, near) <= 3 ? `did you mean "${near}"? ` : '';
    throw new ValidationError(
      `search space path "${path}" is not a tunable field of the job spec; ${hint}` +
        `expected one of: ${[...allowed].sort().join(', ')}`,
      { param: `${paramPrefix}.${path}`, code: 'unknown_search_space_path' },
    );
  }
}

/** A value as a trial gives it to its field: `architecture.head.units` takes a list of layers. */
export function coerceSearchValue(path: string, value: ParamValue): unknown {
  if (path === 'architecture.head.units') {
    if (typeof value === 'number') return [value];
    if (typeof value === 'string') return value.split(',').map((v) => Number(v.trim()));
  }
  return value;
}

/** The values of `param` that bound what a trial can get: the ends, an inner point, each choice. */
function probes(param: SearchParam): Array<{ at: Array<string | number>; value: ParamValue }> {
  switch (param.type) {
    case 'uniform':
    case 'log_uniform': {
      // A point inside that is not a whole number: an integer field cannot take real draws.
      const inner = param.min + (param.max - param.min) / Math.PI;
      return [
        { at: ['min'], value: param.min },
        { at: ['max'], value: param.max },
        ...(Number.isInteger(inner) || !(param.min < param.max)
          ? []
          : [{ at: ['type'], value: inner }]),
      ];
    }
    case 'int': {
      const step = param.step ?? 1;
      const last = param.min + Math.floor((param.max - param.min) / step) * step;
      return [
        { at: ['min'], value: param.min },
        { at: ['max'], value: Math.max(param.min, last) },
      ];
    }
    case 'choice':
      return param.values.map((value, i) => ({ at: ['values', i], value }));
  }
}

function valueProblems(
  path: string,
  param: SearchParam,
  field: z.ZodType,
): Array<{ at: Array<string | number>; value: ParamValue; message: string }> {
  const problems = [];
  for (const { at, value } of probes(param)) {
    // A real draw inside a range whose ends are already refused says nothing more.
    if (at[0] === 'type' && problems.length > 0) continue;
    const parsed = field.safeParse(coerceSearchValue(path, value));
    if (parsed.success) continue;
    const why = parsed.error.issues[0]?.message ?? 'not a value this field takes';
    const message =
      at[0] === 'type'
        ? `${param.type} draws values between min and max such as ${value}, which ${path} does not take (${why}); use "int" or "choice" for this field`
        : `${at[0]}${at.length > 1 ? `[${at[1]}]` : ''} ${JSON.stringify(value)} is not a value ${path} takes (${why})`;
    problems.push({ at, value, message });
  }
  return problems;
}

/**
 * The number of points of the grid over `space` (the product of each parameter's count of
 * values), computed without listing them; `undefined` when a real range has no `grid_points`.
 */
export function gridSize(space: SearchSpace): number | undefined {
  let size = 1;
  for (const param of Object.values(space)) {
    let count: number | undefined;
    if (param.type === 'choice') count = param.values.length;
    else if (param.type === 'int')
      count = Math.floor((param.max - param.min) / (param.step ?? 1)) + 1;
    else count = param.grid_points;
    if (count === undefined) return undefined;
    size *= count;
  }
  return size;
}
