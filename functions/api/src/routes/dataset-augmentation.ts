import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { DatasetService } from '@trainyard/datasets';
import { projectOfRequest as project } from '@trainyard/http';
import { augmentationSchema, idParam } from '@trainyard/shared';
import type { AugmentationPreview } from '../services/augmentation-preview';
import { errorResponses, security } from './errors';

const requestSchema = z
  .object({
    augmentation: augmentationSchema.optional().openapi({
      description: 'As a job spec’s `augmentation`. Default: none (the originals only)',
    }),
    samples: z.number().int().min(1).max(8).default(4).openapi({
      description: 'Images of the dataset to show, spread over its classes',
    }),
    // At most 8 × (1 + 4) images of 160² pixels: 3 MB of pixels, under 6 MB as base64 PNGs in
    // the worst case (noise does not compress), Lambda's answer limit.
    variants: z.number().int().min(1).max(4).default(3).openapi({
      description: 'Augmented versions of each image, each drawn afresh',
    }),
    size: z.number().int().min(16).max(160).default(96).openapi({
      description: 'Side in pixels each image is resized to, as training resizes',
    }),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1)
      .openapi({ description: 'Seeds the draws: the same request answers the same images' }),
  })
  .strict()
  .openapi('AugmentationPreviewRequest');

const dataUrl = z.string().openapi({ example: 'data:image/png;base64,iVBORw0KGgo…' });
const responseSchema = z
  .object({
    object: z.literal('augmentation_preview'),
    dataset: z.string(),
    augmentation: augmentationSchema.openapi({
      description: 'Every augmentation spelled out, the ones not asked for off',
    }),
    size: z.number().int(),
    seed: z.number().int(),
    data: z.array(
      z.object({
        path: z.string(),
        label: z.string(),
        original: dataUrl,
        augmented: z.array(dataUrl),
      }),
    ),
  })
  .openapi('AugmentationPreview');

const preview = createRoute({
  method: 'post',
  path: '/v1/datasets/{id}/augmentation-preview',
  tags: ['Datasets'],
  security,
  summary: 'Preview an augmentation on a few of an image dataset’s images',
  description:
    'Draws `variants` augmentations of `samples` images of a ready image-folder dataset with the trainer’s own augmentation code (flips, one affine warp for rotation, zoom and translation, low-resolution copies, then brightness and contrast), and answers them as PNG data URLs beside each original, resized to `size`. `augmentation` is validated as a job spec’s. 422 `not_an_image_dataset` for a CSV or JSONL dataset.',
  request: {
    params: idParam('ds'),
    body: { required: true, content: { 'application/json': { schema: requestSchema } } },
  },
  responses: {
    200: {
      description: 'The originals and their augmentations',
      content: { 'application/json': { schema: responseSchema } },
    },
    400: errorResponses[400],
    401: errorResponses[401],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

/** `POST /v1/datasets/{id}/augmentation-preview`: what an augmentation does to this dataset. */
export function registerAugmentationPreview(
  app: OpenAPIHono,
  datasets: DatasetService,
  previews: AugmentationPreview,
): void {
  app.openapi(preview, async (c) => {
    const dataset = await datasets.get(c.req.valid('param').id, project(c));
    const result = await previews.render(dataset, c.req.valid('json'));
    return c.json({ object: 'augmentation_preview' as const, dataset: dataset.id, ...result }, 200);
  });
}
