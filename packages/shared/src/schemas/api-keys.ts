import { z } from '@hono/zod-openapi';
import { apiKeyRoleSchema } from '../auth';
import { nameSchema } from './common';

const roleSchema = z.enum(apiKeyRoleSchema.options).openapi('ApiKeyRole', {
  description:
    '`admin`: manage the project and its keys, and everything `member` does; `member`: datasets, fine-tuning jobs, models, base models, and predict; `inference`: predict only',
});

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    last4: z.string(),
    project: z
      .string()
      .openapi({ description: 'The project the key belongs to', example: 'default' }),
    role: roleSchema,
    operator: z.boolean().openapi({
      description:
        'The install’s own key (printed by `npm start`, or TRAINYARD_API_KEY): it may also create projects',
    }),
    created_at: z.number().int(),
    revoked_at: z.number().int().nullable(),
  })
  .openapi('ApiKey');

export const createApiKeySchema = z
  .object({
    name: nameSchema(100).openapi({ example: 'ci' }),
    role: roleSchema.default('member'),
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

export const projectSchema = z
  .object({
    id: z.string().openapi({ example: 'default' }),
    object: z.literal('project'),
    created_at: z.number().int(),
  })
  .openapi('Project');

export const createProjectSchema = z
  .object({
    name: z.string().openapi({
      description:
        'The project’s id: 2-40 characters, lower-case letters, digits and "-", starting with a letter',
      example: 'team-vision',
    }),
    admin_key_name: nameSchema(100).default('admin').openapi({
      description: 'The name of the project’s first admin key',
    }),
  })
  .strict()
  .openapi('CreateProject');

export const createdProjectSchema = z
  .object({ project: projectSchema, admin_key: createdApiKeySchema })
  .openapi('CreatedProject');

export const currentProjectSchema = z
  .object({ project: projectSchema, key: apiKeySchema })
  .openapi('CurrentProject');
