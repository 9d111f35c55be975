import { z } from '@hono/zod-openapi';
import { apiKeyScopeSchema } from '../auth';

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    last4: z.string(),
    scopes: z.array(apiKeyScopeSchema),
    created_at: z.number().int(),
    revoked_at: z.number().int().nullable(),
  })
  .openapi('ApiKey');

export const createApiKeySchema = z
  .object({
    name: z.string().min(1).max(100).openapi({ example: 'ci' }),
    scopes: z.array(apiKeyScopeSchema).min(1).default(['api', 'infer']),
  })
  .strict()
  .openapi('CreateApiKey');

export const createdApiKeySchema = apiKeySchema
  .extend({
    secret: z.string().nullable().openapi({
      description:
        'Shown once; only its hash is stored. `null` in a replay of an `Idempotency-Key` request (with `secret_note`)',
    }),
    secret_note: z
      .string()
      .optional()
      .openapi({ description: 'Present when `secret` is `null`: why it is not shown' }),
  })
  .openapi('CreatedApiKey');
