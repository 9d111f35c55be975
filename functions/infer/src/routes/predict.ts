import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type LatencyLanes, projectOfRequest } from '@trainyard/http';
import {
  errorBodySchema,
  fromZodError,
  idParam,
  MAX_PREDICT_INPUTS,
  predictOptionsSchema,
  predictRequestSchema,
  predictResponseSchema,
} from '@trainyard/shared';
import type { ModelCache } from '../model-cache';
import { readPredictBody } from './predict-body';

/** Built once: a zod schema costs more to build than to check an id with. */
const modelIdParam = idParam('model');

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorBodySchema } },
});

const route = createRoute({
  method: 'post',
  path: '/v1/models/{id}/predict',
  tags: ['Predictions'],
  security: [{ bearerAuth: [] }],
  summary: `Predictions for up to ${MAX_PREDICT_INPUTS} inputs, with the preprocessing the model was trained with`,
  request: {
    params: idParam('model'),
    query: predictOptionsSchema,
    body: {
      required: true,
      content: {
        'application/json': { schema: predictRequestSchema },
        'multipart/form-data': {
          schema: z.object({
            image: z.array(z.string().openapi({ format: 'binary' })),
            top_k: z.number().int().optional(),
            threshold: z.number().optional(),
          }),
        },
        'image/*': { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
  },
  responses: {
    200: {
      description: 'One answer per input, in order',
      content: { 'application/json': { schema: predictResponseSchema } },
    },
    400: error('An input does not fit the model: the message names it and the expected input'),
    401: error('Missing or invalid API key'),
    404: error('No such model in the key’s project'),
    413: error('Body over INFER_MAX_BODY_BYTES'),
    429: error(
      'Over the key’s INFER_RATE_LIMIT (`rate_limited`) or INFER_MAX_CONCURRENT_PER_KEY (`concurrency_limited`); see Retry-After',
    ),
    503: error(
      '`overloaded`: the model’s queue is past what it serves within INFER_LATENCY_BUDGET_MS, or (before the request is read, the same answer for every model) the process holds what it answers within that budget or INFER_MAX_IN_FLIGHT; retry after Retry-After seconds',
    ),
    415: error('Not JSON, multipart/form-data or image/*'),
    422: error(
      'An image that cannot be used: `unsupported_image_format` (a format with no decoder here, such as HEIC; the message says how to convert it), `undecodable_image` (truncated, corrupt or no image at all), `image_too_large` (too many pixels)',
    ),
  },
});

export interface PredictRouteOptions {
  readonly cache: ModelCache;
  /** Each model's queue: its predictions run one at a time through it (see `queueAdmission`). */
  readonly lanes: LatencyLanes;
  /**
   * Most requests to one model answered by one run of it (`INFER_BATCH_MAX`): those that queued
   * while it was busy. 1: each request runs alone.
   */
  readonly batchMax: number;
}

/** `POST /v1/models/{id}/predict`; the body is read here, by media type, not by the route's schema. */
/** The body arrives bounded (INFER_MAX_BODY_BYTES, MAX_JSON_DEPTH, BODY_TIMEOUT_MS) by the app. */
export function registerPredict(app: OpenAPIHono, { cache, lanes, batchMax }: PredictRouteOptions) {
  // Documented from the zod schemas, validated by hand: the inputs can only be checked against
  // the model's own input spec, which names what that model expects.
  app.openAPIRegistry.registerPath(route);
  app.post('/v1/models/:id/predict', async (c) => {
    // The route's schema documents the id; it is checked here, as OpenAPI routes check theirs.
    const param = modelIdParam.safeParse({ id: c.req.param('id') });
    if (!param.success) throw fromZodError(param.error, 'path', { id: c.req.param('id') });
    const { id } = param.data;
    const predictions = await cache.use(id, projectOfRequest(c), async (predictor) => {
      const { inputs, options } = await readPredictBody(c);
      // Inputs are checked and encoded (images decoded) per request, before the model's queue;
      // the model then answers the requests queued for it together (`LatencyLanes.batch`).
      const xs = await predictor.encode(inputs);
      try {
        return await lanes.batch(
          id,
          { xs, options },
          { key: predictor, max: batchMax, run: (batch) => predictor.answerEncoded(batch) },
        );
      } finally {
        xs.dispose();
      }
    });
    return c.json({ model: id, predictions });
  });
}
