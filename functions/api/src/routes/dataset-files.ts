import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type DatasetService, readZipImage, sampleImages } from '@trainyard/datasets';
import { projectOfRequest as project } from '@trainyard/http';
import { decimalText, idParam, type Storage } from '@trainyard/shared';
import { errorResponses, security } from './errors';

const tags = ['Datasets'];

const file = createRoute({
  method: 'get',
  path: '/v1/datasets/{id}/files',
  tags,
  security,
  summary: 'One image of an image-folder dataset',
  description:
    'The image at `path` inside the zip (as `GET /v1/models/{id}/evaluation` references and `…/samples` lists it), with its sniffed content type. 404 `file_not_found` for a path the zip lacks; 422 for a dataset that is not an image zip, an entry over 16 MiB or a file that is not an image.',
  request: {
    params: idParam('ds'),
    query: z.strictObject({
      path: z.string().min(1).max(1024).openapi({ example: 'daisy/1.jpg' }),
    }),
  },
  responses: {
    200: {
      description: 'The image bytes',
      content: { 'image/*': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    401: errorResponses[401],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

const samplesSchema = z
  .object({
    object: z.literal('list'),
    data: z.array(z.object({ label: z.string(), paths: z.array(z.string()) })),
  })
  .openapi('DatasetSamples');

const samples = createRoute({
  method: 'get',
  path: '/v1/datasets/{id}/samples',
  tags,
  security,
  summary: 'Sample image paths per class of an image-folder dataset',
  description:
    'Up to `per_class` (1-50, default 8) paths of each class, in zip order, for `GET /v1/datasets/{id}/files?path=`.',
  request: {
    params: idParam('ds'),
    query: z.strictObject({ per_class: decimalText(z.number().int().min(1).max(50)).default(8) }),
  },
  responses: {
    200: {
      description: 'Paths per class',
      content: { 'application/json': { schema: samplesSchema } },
    },
    401: errorResponses[401],
    404: errorResponses[404],
    422: errorResponses[422],
  },
});

/** The images inside an image-folder dataset: sample paths per class, and one image by path. */
export function registerDatasetFiles(app: OpenAPIHono, datasets: DatasetService, storage: Storage) {
  app.openapi(file, async (c) => {
    const dataset = await datasets.get(c.req.valid('param').id, project(c));
    const { bytes, mediaType } = await readZipImage(storage, dataset, c.req.valid('query').path);
    // A dataset is immutable once ready: its files can be cached.
    return c.body(new Uint8Array(bytes), 200, {
      'content-type': mediaType,
      'cache-control': 'private, max-age=3600',
      'x-content-type-options': 'nosniff',
    }) as never;
  });
  app.openapi(samples, async (c) => {
    const dataset = await datasets.get(c.req.valid('param').id, project(c));
    const data = await sampleImages(storage, dataset, c.req.valid('query').per_class);
    return c.json({ object: 'list' as const, data }, 200);
  });
}
