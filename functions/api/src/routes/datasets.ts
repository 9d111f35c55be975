import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type DatasetService, exportCsv } from '@trainyard/datasets';
import { projectOfRequest as project } from '@trainyard/http';
import {
  completeDatasetSchema,
  createDatasetSchema,
  createdDatasetSchema,
  datasetSchema,
  idParam,
  listOf,
  listQueryFor,
} from '@trainyard/shared';
import { errorResponses, security } from './errors';

const tags = ['Datasets'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const datasetIdParam = idParam('ds');

const create = createRoute({
  method: 'post',
  path: '/v1/datasets',
  tags,
  security,
  summary: 'Create a dataset awaiting its file',
  description:
    'Returns presigned upload URLs: `upload.url` for one PUT, or `upload.parts` when `size_bytes` is over 64 MiB (multipart: PUT each part, then complete with the ETags). Small files may instead be PUT to `api_upload.url`. A `size_bytes` that would take the project’s datasets past PROJECT_MAX_STORED_BYTES is a 422 `project_storage_full`. Accepts `Idempotency-Key`.',
  request: {
    body: { required: true, content: { 'application/json': { schema: createDatasetSchema } } },
  },
  responses: {
    201: json(createdDatasetSchema, 'Created'),
    400: errorResponses[400],
    401: errorResponses[401],
    422: errorResponses[422],
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/datasets',
  tags,
  security,
  summary: 'List datasets, oldest first',
  request: { query: listQueryFor('ds') },
  responses: {
    200: json(listOf(datasetSchema, 'DatasetList'), 'A page of datasets'),
    401: errorResponses[401],
  },
});

const show = createRoute({
  method: 'get',
  path: '/v1/datasets/{id}',
  tags,
  security,
  summary: 'Show a dataset with its validation report',
  request: { params: datasetIdParam },
  responses: {
    200: json(datasetSchema, 'The dataset'),
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/datasets/{id}',
  tags,
  security,
  summary: 'Delete a dataset and every object it has',
  description:
    'Refused (409 `dataset_in_use`, naming the jobs) while a job that is not finished (queued, running) trains or validates on it.',
  request: { params: datasetIdParam },
  responses: {
    200: json(
      z.object({ id: z.string(), object: z.literal('dataset'), deleted: z.literal(true) }),
      'Deleted',
    ),
    401: errorResponses[401],
    404: errorResponses[404],
    409: errorResponses[409],
  },
});

const upload = createRoute({
  method: 'put',
  path: '/v1/datasets/{id}/file',
  tags,
  security,
  summary: 'Upload a small dataset file through the API',
  description:
    'The raw file is the body. Files over the cap (API_UPLOAD_MAX_BYTES, default 32 MiB) are refused with 413: use the presigned URL from POST /v1/datasets.',
  request: {
    params: datasetIdParam,
    body: {
      required: true,
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
    },
  },
  responses: {
    200: json(datasetSchema, 'Stored; call complete to validate'),
    401: errorResponses[401],
    404: errorResponses[404],
    409: errorResponses[409],
    413: errorResponses[413],
  },
});

const complete = createRoute({
  method: 'post',
  path: '/v1/datasets/{id}/complete',
  tags,
  security,
  summary: 'Validate the uploaded file',
  description:
    'Status goes `validating` → `ready` or `invalid` with a report. Answers 200 when validation ended within about 20 s, else 202 with status `validating` (poll GET). For multipart uploads pass the parts. A file that would take the project’s datasets past PROJECT_MAX_STORED_BYTES is a 422 `project_storage_full` (nothing is validated).',
  request: {
    params: datasetIdParam,
    body: { required: false, content: { 'application/json': { schema: completeDatasetSchema } } },
  },
  responses: {
    200: json(datasetSchema, 'Validated: status ready or invalid'),
    202: json(datasetSchema, 'Still validating'),
    400: errorResponses[400],
    401: errorResponses[401],
    404: errorResponses[404],
    409: errorResponses[409],
    422: errorResponses[422],
  },
});

const download = createRoute({
  method: 'get',
  path: '/v1/datasets/{id}/rows.csv',
  tags,
  security,
  summary: 'Download a tabular dataset as training sees it (CSV)',
  description:
    'The validated rows, with missing values empty. Cells that a spreadsheet would run as a formula (starting with = + - @) are prefixed with a quote.',
  request: { params: datasetIdParam },
  responses: {
    200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } },
    401: errorResponses[401],
    404: errorResponses[404],
    422: errorResponses[409],
  },
});

export function registerDatasets(app: OpenAPIHono, datasets: DatasetService): void {
  app.openapi(create, async (c) => {
    const { dataset, upload } = await datasets.create(c.req.valid('json'), project(c));
    const { uploadMaxBytes } = datasets.options;
    const url = new URL(`/v1/datasets/${dataset.id}/file`, c.req.url).toString();
    return c.json({ ...dataset, upload, api_upload: { url, max_bytes: uploadMaxBytes } }, 201);
  });

  app.openapi(list, async (c) => {
    const { limit, after } = c.req.valid('query');
    return c.json(await datasets.list(limit, after, project(c)), 200);
  });

  app.openapi(show, async (c) =>
    c.json(await datasets.get(c.req.valid('param').id, project(c)), 200),
  );

  app.openapi(remove, async (c) =>
    c.json(await datasets.delete(c.req.valid('param').id, project(c)), 200),
  );

  app.openapi(download, async (c) => {
    const dataset = await datasets.get(c.req.valid('param').id, project(c));
    const rows = exportCsv(datasets.options.storage, dataset.id);
    const first = await rows.next(); // errors (not ready, not a table) become JSON answers, not a broken stream
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (!first.done) controller.enqueue(encoder.encode(first.value));
      },
      async pull(controller) {
        const next = await rows.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
    });
    return c.body(body, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${dataset.id}.csv"`,
    }) as never;
  });

  app.openapi(upload, async (c) => {
    const length = c.req.header('content-length');
    const dataset = await datasets.uploadThroughApi(
      c.req.valid('param').id,
      c.req.raw.body,
      length === undefined ? undefined : Number(length),
      project(c),
    );
    return c.json(dataset, 200);
  });

  app.openapi(complete, async (c) => {
    const body = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {};
    const dataset = await datasets.complete(c.req.valid('param').id, body.parts, project(c));
    return dataset.status === 'validating' ? c.json(dataset, 202) : c.json(dataset, 200);
  });
}
