import { z } from '@hono/zod-openapi';
import { isDecimalText } from '../numbers/decimal-text';

/**
 * `schema` (a `z.number()` with its checks) for values that arrive as text as well as numbers: a
 * query parameter (`?limit=20`), a form field, an environment variable, or a JSON number.
 *
 * Only decimal text is read as a number; anything else reaches `schema` as it was sent and fails
 * there (`expected number, received boolean`). `z.coerce.number()` instead reads `true` as 1,
 * `[7]` as 7, `"0x10"` as 16 and `" "` as 0, so a mistyped value passed as some other number.
 */
export function decimalText<T extends z.ZodNumber>(schema: T) {
  return z.preprocess(
    (value) => (typeof value === 'string' && isDecimalText(value) ? Number(value) : value),
    schema,
  );
}
