import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { projectOfRequest as project } from '@trainyard/http';
import {
  decimalText,
  type ExamplePrediction,
  examplePredictionSchema,
  keys,
  NotFoundError,
  type Storage,
  ValidationError,
} from '@trainyard/shared';
import type { ModelStore } from '../services/model-store';
import { errorResponses, security } from './errors';

const splitSchema = z.enum(['validation', 'test', 'train']);

export const evaluationQuerySchema = z.strictObject({
  split: splitSchema.default('validation').openapi({
    description:
      '`validation` (default), `test` (when the dataset had a test split), or `train` (only for a job that had no validation examples)',
  }),
  true_label: z
    .string()
    .min(1)
    .optional()
    .openapi({ description: 'Only examples of this true class (classifiers)' }),
  predicted_label: z
    .string()
    .min(1)
    .optional()
    .openapi({ description: 'Only examples predicted as this class (classifiers)' }),
  limit: decimalText(z.number().int().min(1).max(1000)).default(100).openapi({ example: 100 }),
  after: z
    .string()
    .regex(/^\d+$/, 'expected the `last_id` of the previous page (an example index)')
    .optional()
    .openapi({ description: 'Return examples after this one (`last_id` of the previous page)' }),
});

export const evaluationPageSchema = z
  .object({
    object: z.literal('list'),
    model: z.string(),
    split: splitSchema,
    /** Class names in `scores` order; null for regression. */
    labels: z.array(z.string()).nullable(),
    /** Examples matching the filters, on every page. */
    total: z.number().int(),
    data: z.array(examplePredictionSchema),
    has_more: z.boolean(),
    last_id: z.string().nullable(),
  })
  .openapi('ModelEvaluationPage');

const evaluation = createRoute({
  method: 'get',
  path: '/v1/models/{id}/evaluation',
  tags: ['Models'],
  security,
  summary:
    'The evaluated examples behind the metrics: reference in the upload, true and predicted label, scores',
  description:
    'Each example of a split the model was evaluated on, in the order it was evaluated. Filter by `true_label` and `predicted_label` to list the examples behind one confusion-matrix cell (true_label=a&predicted_label=b).',
  request: { params: z.object({ id: z.string().min(1) }), query: evaluationQuerySchema },
  responses: {
    200: {
      description: 'A page of evaluated examples',
      content: { 'application/json': { schema: evaluationPageSchema } },
    },
    400: errorResponses[400],
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

function checkLabel(param: string, value: string | undefined, labels: string[] | null) {
  if (value === undefined) return;
  if (!labels)
    throw new ValidationError(`${param} applies to classifiers; this model is a regression model`, {
      param,
    });
  if (!labels.includes(value))
    throw new ValidationError(
      `${param} ${JSON.stringify(value)} is not a class of this model; expected one of ${labels.map((l) => JSON.stringify(l)).join(', ')}`,
      { param },
    );
}

/** `GET /v1/models/{id}/evaluation`: pages of `models/<id>/predictions/<split>.jsonl`. */
export function registerModelEvaluation(
  app: OpenAPIHono,
  models: ModelStore,
  storage: Storage,
): void {
  app.openapi(evaluation, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const model = await models.get(id, project(c));
    const metrics = model.metrics;
    const evaluated = [metrics?.split, metrics?.test ? 'test' : undefined].filter(Boolean);
    if (!evaluated.includes(query.split)) {
      throw new NotFoundError(
        `Model ${id} has no ${query.split} evaluation; it was evaluated on ${evaluated.length ? evaluated.join(' and ') : 'nothing'}${query.split === 'test' ? ' (its dataset had no test split)' : ''}`,
        { param: 'split', code: 'split_not_found' },
      );
    }
    const labels = (query.split === 'test' ? metrics?.test?.labels : metrics?.labels) ?? null;
    checkLabel('true_label', query.true_label, labels);
    checkLabel('predicted_label', query.predicted_label, labels);
    const bytes = await storage.tryGetBytes(keys.modelPredictions(id, query.split));
    if (!bytes) {
      throw new NotFoundError(
        `Model ${id} was published before per-example predictions were kept; retrain it to get them`,
        { param: 'id', code: 'evaluation_not_found' },
      );
    }
    const after = query.after === undefined ? -1 : Number(query.after);
    const matching: ExamplePrediction[] = [];
    for (const line of Buffer.from(bytes).toString('utf8').split('\n')) {
      if (!line) continue;
      const row = JSON.parse(line) as ExamplePrediction;
      if (query.true_label !== undefined && row.true_label !== query.true_label) continue;
      if (query.predicted_label !== undefined && row.predicted_label !== query.predicted_label)
        continue;
      matching.push(row);
    }
    const rest = matching.filter((row) => row.index > after);
    const data = rest.slice(0, query.limit);
    return c.json(
      {
        object: 'list' as const,
        model: id,
        split: query.split,
        labels,
        total: matching.length,
        data,
        has_more: rest.length > data.length,
        last_id: data.length ? String(data.at(-1)!.index) : null,
      },
      200,
    );
  });
}
