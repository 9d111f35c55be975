import { Readable } from 'node:stream';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { projectOfRequest as project } from '@trainyard/http';
import {
  idParam,
  isModelPredictionsFile,
  keys,
  listOf,
  listQueryFor,
  modelManifestSchema,
  modelSchema,
  preprocessSchema,
  type Storage,
} from '@trainyard/shared';
import { ZipFile } from 'yazl';
import type { ModelStore } from '../services/model-store';
import { errorResponses, security } from './errors';
import { modelReadme } from './model-readme';

const tags = ['Models'];
const modelIdParam = idParam('model');

const list = createRoute({
  method: 'get',
  path: '/v1/models',
  tags,
  security,
  summary: 'List published models, oldest first',
  request: { query: listQueryFor('model') },
  responses: {
    200: {
      description: 'A page of model manifests',
      content: { 'application/json': { schema: listOf(modelManifestSchema, 'ModelList') } },
    },
    401: errorResponses[401],
  },
});

const show = createRoute({
  method: 'get',
  path: '/v1/models/{id}',
  tags,
  security,
  summary: 'A model’s card: manifest, how it was made (card), and its validation metrics',
  request: { params: modelIdParam },
  responses: {
    200: { description: 'The model', content: { 'application/json': { schema: modelSchema } } },
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/models/{id}',
  tags,
  security,
  summary: 'Delete a model and every object under models/<id>/',
  request: { params: modelIdParam },
  responses: {
    200: {
      description: 'Deleted',
      content: {
        'application/json': {
          schema: z.object({
            id: z.string(),
            object: z.literal('model'),
            deleted: z.literal(true),
          }),
        },
      },
    },
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

const download = createRoute({
  method: 'get',
  path: '/v1/models/{id}/download',
  tags,
  security,
  summary:
    'The model as a zip: TensorFlow.js files (model.json + weight shards), the input encoding, card, metrics and a README with a Node and a browser example using `@trainyard/predict`',
  request: { params: modelIdParam },
  responses: {
    200: {
      description: 'A zip, streamed',
      content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

/** The zip of a published model, streamed: each file is read from storage as the zip reaches it. */
function modelZip(
  storage: Storage,
  model: { id: string; name: string; created_at: number; files: Array<{ path: string }> },
  readme: string,
): ReadableStream<Uint8Array> {
  const zip = new ZipFile();
  // The model's publication time on every entry: the same model is the same bytes every time.
  const mtime = new Date(model.created_at * 1000);
  const paths = model.files.map((f) => f.path).filter((p) => !isModelPredictionsFile(p));
  for (const required of ['preprocess.json', 'card.json', 'metrics.json'])
    if (!paths.includes(required)) paths.push(required);
  for (const path of paths) {
    // Lazily: the object is fetched when yazl starts reading this entry.
    let started = false;
    const stream: Readable = new Readable({
      read() {
        if (started) return;
        started = true;
        storage.tryGetBytes(keys.modelFile(model.id, path)).then(
          (bytes) => {
            if (bytes) stream.push(Buffer.from(bytes));
            stream.push(null);
          },
          (error: Error) => stream.destroy(error),
        );
      },
    });
    zip.addReadStream(stream, path, { mtime });
  }
  zip.addBuffer(Buffer.from(readme), 'README.md', { mtime });
  zip.end();
  return Readable.toWeb(zip.outputStream as Readable) as ReadableStream<Uint8Array>;
}

export function registerModels(app: OpenAPIHono, models: ModelStore, storage: Storage): void {
  app.openapi(list, async (c) => {
    const { limit, after } = c.req.valid('query');
    return c.json(await models.list(limit, after, project(c)), 200);
  });
  app.openapi(show, async (c) =>
    c.json(await models.get(c.req.valid('param').id, project(c)), 200),
  );
  app.openapi(remove, async (c) =>
    c.json(await models.delete(c.req.valid('param').id, project(c)), 200),
  );
  app.openapi(download, async (c) => {
    // 404 (missing, or another project's) before the stream starts.
    const model = await models.get(c.req.valid('param').id, project(c));
    const pre = await storage.getJson(
      keys.modelFile(model.id, 'preprocess.json'),
      preprocessSchema,
    );
    return c.body(modelZip(storage, model, modelReadme(model, pre)), 200, {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="${model.id}.zip"`,
    }) as never;
  });
}
