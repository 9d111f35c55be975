import { z } from '@hono/zod-openapi';

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

/** `?limit=&after=` on every list route. */
export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
  after: z.string().optional().openapi({ description: 'Return items after this id' }),
});

/** `{data, has_more, last_id}` around a page of items. */
export function listOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({ data: z.array(item), has_more: z.boolean(), last_id: z.string().nullable() })
    .openapi(name);
}
