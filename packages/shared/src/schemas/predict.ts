import { z } from '@hono/zod-openapi';
import { DECODED_IMAGE_FORMATS } from '../images/formats';
import { decimalText } from './decimal-text';

/** Most inputs one predict request takes: a batch bounded so one request cannot hog the model. */
export const MAX_PREDICT_INPUTS = 256;

/** A table cell as a client sends it; `null` is a missing value (as an empty CSV cell was). */
export const predictCellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** One input of `POST /v1/models/{id}/predict` as JSON; which form fits depends on the model. */
export const predictInputSchema = z
  .union([
    z.string().openapi({ description: 'text_classification: the text', example: 'win a prize' }),
    z
      .object({
        image_base64: z.string().openapi({
          description: `image_classification: an image file (${DECODED_IMAGE_FORMATS}) in base64, or a data URL`,
        }),
      })
      .strict(),
    z.record(z.string(), predictCellSchema).openapi({
      description: 'tabular: one row, every feature column by name',
      example: { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
    }),
    z
      .array(predictCellSchema)
      .openapi({ description: 'tabular: one row, the feature columns in order' }),
  ])
  .openapi('PredictInput');
export type PredictInput = z.infer<typeof predictInputSchema>;

/** `top_k` and `threshold`: what a classifier's answer keeps. */
export const predictOptionsSchema = z.object({
  /**
   * Classes kept per input, best first: default 5, capped at the model's class count (a `top_k`
   * of 99 on a 3-class model answers all 3 classes, without an error).
   */
  top_k: decimalText(z.number().int().min(1).max(1000)).optional().openapi({
    description:
      "Classes kept per input, best first (1-1000, default 5). Capped at the model's class count: a top_k over it answers every class, without an error (GET /v1/models/{id} lists the classes).",
  }),
  /**
   * Classes scoring below it are left out; an input whose best class scores below it is answered
   * `[{"label": null, "score": <best score>}]`.
   */
  threshold: decimalText(z.number().min(0).max(1)).optional(),
});
export type PredictOptions = z.infer<typeof predictOptionsSchema>;

/** The JSON body of `POST /v1/models/{id}/predict`. */
export const predictRequestSchema = predictOptionsSchema
  .extend({ inputs: z.array(predictInputSchema).min(1).max(MAX_PREDICT_INPUTS) })
  .strict()
  .openapi('PredictRequest');
export type PredictRequest = z.infer<typeof predictRequestSchema>;

/**
 * The envelope the endpoint checks before it knows the model: the inputs themselves are checked
 * against the model's input spec, which names what that model expects.
 */
export const predictEnvelopeSchema = predictOptionsSchema
  .extend({ inputs: z.array(z.unknown()).min(1).max(MAX_PREDICT_INPUTS) })
  .strict();

export const classScoreSchema = z
  .object({ label: z.string().nullable(), score: z.number() })
  .openapi('ClassScore');
export type ClassScore = z.infer<typeof classScoreSchema>;

export const regressionValueSchema = z.object({ value: z.number() }).openapi('RegressionValue');
export type RegressionValue = z.infer<typeof regressionValueSchema>;

/** One input's answer: classes best first, or for regression one `{value}`. */
export const predictionSchema = z.union([
  z.array(classScoreSchema),
  z.array(regressionValueSchema).length(1),
]);
export type Prediction = ClassScore[] | [RegressionValue];

export const predictResponseSchema = z
  .object({
    model: z.string().openapi({ example: 'model_abc123' }),
    /** In the order of the inputs. */
    predictions: z.array(predictionSchema),
  })
  .openapi('PredictResponse');
export type PredictResponse = z.infer<typeof predictResponseSchema>;
