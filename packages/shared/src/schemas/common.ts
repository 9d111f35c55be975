import { z } from '@hono/zod-openapi';
import { API_KEY_ID_PATTERN, type IdPrefix, idPattern } from '../ids';
import { decimalText } from './decimal-text';

/**
 * C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F) and the bidirectional embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can hide or reorder what a name
 * shows (`\u202egnp.exe` reads as `exe.png`).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const HIDDEN_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/**
 * The first control or bidirectional-override character of `value`, with its position in
 * characters (code points, from 0), or undefined when it has none.
 */
export function hiddenCharacter(
  value: string,
): { codePoint: string; position: number } | undefined {
  if (!HIDDEN_CHARACTER.test(value)) return undefined;
  let position = 0;
  for (const char of value) {
    if (HIDDEN_CHARACTER.test(char)) {
      const hex = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      return { codePoint: `U+${hex}`, position };
    }
    position++;
  }
  return undefined;
}

/**
 * A user-given name or label (`min`–`max` characters) that shows as it is stored: a control
 * character or a bidirectional override/isolate is refused, naming the code point and position.
 */
export function nameSchema(max: number, min = 1) {
  return z
    .string()
    .min(min)
    .max(max)
    .superRefine((value, ctx) => {
      const hidden = hiddenCharacter(value);
      if (hidden) {
        ctx.addIssue({
          code: 'custom',
          input: value,
          message: `contains ${hidden.codePoint} at position ${hidden.position} (counting characters from 0); expected no control characters (U+0000–U+001F, U+007F–U+009F) and no bidirectional overrides or isolates (U+202A–U+202E, U+2066–U+2069)`,
        });
      }
    });
}

/** The error body of every 4xx/5xx answer. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_request' }),
      message: z.string().openapi({
        example: 'hyperparameters.epochs: Too big: expected number to be <=1000; received 5000',
      }),
      param: z.string().optional().openapi({ example: 'hyperparameters.epochs' }),
      request_id: z.string().optional(),
    }),
  })
  .openapi('Error');

export const healthSchema = z
  .object({ status: z.literal('ok'), service: z.string(), version: z.string() })
  .openapi('Health');

/** `GET /readyz`: whether the function's dependencies answer (503 when one does not). */
export const readinessSchema = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    service: z.string(),
    checks: z.object({
      s3: z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() }),
    }),
  })
  .openapi('Readiness');
export type Readiness = z.infer<typeof readinessSchema>;
const EXAMPLE_ID_BODY = '0mfk2v8a3x7q1c9d0e2f4g';

/**
 * An id of one type (`ds`, `ftjob`, `model`, `bm`): its prefix, `_`, then 1-64 of `0-9a-z`. Every
 * id a route takes (path, query, body) is checked with this before it reaches storage; anything
 * else (`..%2F`, slashes, dots, unicode, over-long) is a 400 naming the expected form.
 */
export function idSchema(prefix: IdPrefix) {
  return z
    .string()
    .max(80, `expected a ${prefix}_… id; received a longer string`)
    .regex(idPattern(prefix), `expected a ${prefix}_… id (${prefix}_ then 1-64 of 0-9 a-z)`)
    .openapi({ example: `${prefix}_${EXAMPLE_ID_BODY}` });
}

/** `{id}` path parameters: the one helper every route with an id uses. */
export function idParam(prefix: IdPrefix) {
  return z.object({ id: idSchema(prefix) });
}

/** `{id}` of an API key: 12 of `0-9a-z`. */
export const apiKeyIdParam = z.object({
  id: z
    .string()
    .max(80, 'expected an API key id; received a longer string')
    .regex(API_KEY_ID_PATTERN, 'expected an API key id (12 of 0-9 a-z)')
    .openapi({ example: '0mfk2v8a3x7q' }),
});

/** `?limit=&after=` on every list route; any other parameter is a 400 (a typo is not ignored). */
export const listQuerySchema = z.strictObject({
  limit: decimalText(z.number().int().min(1).max(100)).default(20).openapi({ example: 20 }),
  after: z.string().optional().openapi({ description: 'Return items after this id' }),
});

/** `?limit=&after=` on the list of one type of object: `after` is an id of that type. */
export function listQueryFor(prefix: IdPrefix) {
  return listQuerySchema.extend({
    after: idSchema(prefix).optional().openapi({ description: 'Return items after this id' }),
  });
}

/** `{data, has_more, last_id}` around a page of items. */
export function listOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({ data: z.array(item), has_more: z.boolean(), last_id: z.string().nullable() })
    .openapi(name);
}
