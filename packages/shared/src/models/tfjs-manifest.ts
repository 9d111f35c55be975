import { z } from 'zod';
import { ValidationError } from '../errors';

/** Bytes per value of each weight dtype TensorFlow.js writes. */
const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  float16: 2,
  complex64: 8,
};

const weightSpecSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().min(0)),
  dtype: z.string(),
  quantization: z.object({ dtype: z.string() }).passthrough().optional(),
});

/** The parts of a TensorFlow.js `model.json` that say where the weights are. */
export const tfjsModelJsonSchema = z
  .object({
    format: z.string().optional(),
    modelTopology: z.record(z.string(), z.unknown()),
    weightsManifest: z.array(
      z.object({ paths: z.array(z.string()).min(1), weights: z.array(weightSpecSchema) }),
    ),
  })
  .passthrough();
export type TfjsModelJson = z.infer<typeof tfjsModelJsonSchema>;
/** One weight's entry in a manifest: its name (`<layer>/<variable>`), shape and dtypes. */
export type TfjsWeightSpec = z.infer<typeof weightSpecSchema>;

/** A weight file path that stays inside the model's own folder: no `..`, no absolute path, no URL. */
export function isSafeWeightPath(path: string): boolean {
  return (
    path.length > 0 &&
    !path.startsWith('/') &&
    !path.includes('\\') &&
    !/^[a-z][a-z0-9+.-]*:/i.test(path) &&
    !path.split('/').some((part) => part === '..' || part === '.' || part === '')
  );
}

/** Bytes a weight of the manifest takes in its shards (quantized weights: their stored dtype's). */
export function declaredBytes(spec: TfjsWeightSpec): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes = DTYPE_BYTES[dtype];
  if (bytes === undefined) {
    throw new ValidationError(
      `weight ${spec.name} has dtype ${dtype}; expected one of ${Object.keys(DTYPE_BYTES).join(', ')}`,
      {
        param: 'weightsManifest',
      },
    );
  }
  return spec.shape.reduce((n, d) => n * d, 1) * bytes;
}

/**
 * Checks a `model.json` before any weight is fetched: every shard path stays inside the model's
 * prefix, and the weights it declares add up to at most `maxBytes`. Returns the shard paths in
 * order and the bytes they must hold in all.
 */
export function checkTfjsManifest(
  json: unknown,
  maxBytes: number,
): { model: TfjsModelJson; paths: string[]; bytes: number } {
  const parsed = tfjsModelJsonSchema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError(
      `model.json is not a TensorFlow.js LayersModel: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}; expected modelTopology and weightsManifest`,
      { param: 'model.json', code: 'invalid_model' },
    );
  }
  const model = parsed.data;
  const paths: string[] = [];
  let bytes = 0;
  for (const group of model.weightsManifest) {
    for (const path of group.paths) {
      if (!isSafeWeightPath(path)) {
        throw new ValidationError(
          `weight path ${JSON.stringify(path)} leaves the model's folder; expected a relative path without ".."`,
          {
            param: 'weightsManifest.paths',
            code: 'unsafe_weight_path',
          },
        );
      }
      paths.push(path);
    }
    for (const spec of group.weights) bytes += declaredBytes(spec);
  }
  if (bytes > maxBytes) {
    throw new ValidationError(
      `the model declares ${bytes} bytes of weights; at most ${maxBytes} are accepted`,
      {
        param: 'weightsManifest',
        code: 'model_too_large',
      },
    );
  }
  return { model, paths, bytes };
}
