import { z } from '@hono/zod-openapi';
import { nameSchema } from './common';

/** `POST /v1/base-models`: import a TensorFlow.js LayersModel by the URL of its `model.json`. */
export const createBaseModelSchema = z
  .object({
    name: nameSchema(200).openapi({ example: 'mobilenet-v2-1.0-224' }),
    source: z
      .object({
        url: z.url({ protocol: /^https?$/ }).openapi({
          example: 'https://storage.googleapis.com/…/model.json',
          description: 'The model.json; weight shards are fetched relative to it',
        }),
      })
      .strict(),
    /** Image models: `[height, width, channels]` when model.json does not say. */
    input_shape: z
      .tuple([
        z.number().int().min(8),
        z.number().int().min(8),
        z.union([z.literal(1), z.literal(3)]),
      ])
      .optional(),
    /**
     * How pixels (0-1) are normalized for this model: `(p - mean) / std` per channel. Default
     * mean 0.5, std 0.5 (pixels in [-1, 1], as MobileNet and Teachable Machine models take).
     */
    normalization: z
      .object({
        mean: z.array(z.number()).min(1).max(3),
        std: z.array(z.number().positive()).min(1).max(3),
      })
      .strict()
      .optional(),
  })
  .strict()
  .openapi('CreateBaseModel');
export type CreateBaseModel = z.infer<typeof createBaseModelSchema>;

export const baseModelSchema = z
  .object({
    id: z.string().openapi({ example: 'bm_0mfk2v8a3x7q1c9d0e2f4g' }),
    object: z.literal('base_model'),
    project: z.string().nullable().optional().openapi({
      description:
        'The project that imported it (only keys of that project see it); null for the built-in bases, which every project sees',
    }),
    name: z.string(),
    /** The inputs it takes: images, or text (built-in word vectors). */
    task: z.enum(['image_classification', 'text_classification']),
    input_shape: z.array(z.number().int()),
    source: z.object({ url: z.string() }),
    /** Where its files live in the bucket. */
    location: z.string(),
    bytes: z.number().int(),
    layers: z.number().int(),
    status: z.literal('ready'),
    created_at: z.number().int(),
    /** True for the bases that ship with Trainyard (installed from an npm package, no network). */
    builtin: z.boolean().optional(),
    /** What the model is and what its weights were trained on. */
    description: z.string().optional(),
    /**
     * The layer whose output feeds the new head when a job names no `architecture.cut_layer`
     * (absent: the input of the base's output layer).
     */
    cut_layer: z.string().optional(),
    /** How pixels (0-1) are normalized for this model: `(p - mean) / std` per channel. */
    normalization: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).optional(),
    /**
     * Word vectors (a text job's `architecture.embeddings.base_model`): how many words, numbers a
     * word, and whether its words are lower-cased.
     */
    word_vectors: z
      .object({ words: z.number().int(), dimensions: z.number().int(), lowercase: z.boolean() })
      .optional(),
  })
  .openapi('BaseModel');
export type BaseModelRecord = z.infer<typeof baseModelSchema>;
