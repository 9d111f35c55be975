import {
  type BaseModelRecord,
  baseModelSchema,
  builtinRecord,
  builtinRecords,
  type CreateBaseModel,
  checkTfjsManifest,
  inProject,
  keys,
  modelFolderFiles,
  NotFoundError,
  newId,
  OutboundError,
  type OutboundGuard,
  type Preprocess,
  prefixes,
  projectOf,
  projectPage,
  readBaseModelRecord,
  type Storage,
  topologyLayerNames,
  UnprocessableError,
  unixSeconds,
  ValidationError,
} from '@trainyard/shared';

/** Largest model.json fetched, and largest sum of weights imported. */
const MAX_MODEL_JSON_BYTES = 16 * 1024 * 1024;
export const MAX_BASE_MODEL_BYTES = 512 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 120_000;

/**
 * GETs a file of the model through the outbound guard (internal addresses refused unless
 * `OUTBOUND_ALLOW` lists them, each redirect re-checked), refusing more than `max` bytes. Any
 * failure at the source is the guard's one `outbound_failed`, whatever the source answered.
 */
async function get(guard: OutboundGuard, url: URL, max: number, what: string): Promise<Uint8Array> {
  const res = await guard.fetch(url, {
    timeoutMs: FETCH_TIMEOUT_MS,
    maxBytes: max,
    param: 'source.url',
    tooLarge: (bytes) =>
      new UnprocessableError(`${what} is over ${max} bytes (${bytes}); that is the cap`, {
        param: 'source.url',
        code: 'model_too_large',
      }),
  });
  if (res.status < 200 || res.status > 299) {
    throw new OutboundError('outbound_failed', { param: 'source.url' });
  }
  return res.body;
}

/** `[height, width, channels]` of an image model, from its first layer's batch input shape. */
function inputShapeOf(topology: Record<string, unknown>): number[] | undefined {
  const config = (topology.model_config ?? topology) as {
    config?: { layers?: Array<{ config?: Record<string, unknown> }> };
  };
  for (const layer of config.config?.layers ?? []) {
    const shape = (layer.config?.batch_input_shape ?? layer.config?.batchInputShape) as
      | Array<number | null>
      | undefined;
    if (Array.isArray(shape)) return shape.slice(1) as number[];
  }
  return undefined;
}

/**
 * Imports a TensorFlow.js LayersModel into `base-models/<id>/`: model.json is checked before any
 * weight is fetched (shard paths stay inside the model's folder, the declared size is within the
 * cap), the shards must hold exactly the declared bytes, and the record is written last.
 */
export async function importBaseModel(
  storage: Storage,
  request: CreateBaseModel,
  guard: OutboundGuard,
  project: string,
): Promise<BaseModelRecord> {
  const url = new URL(request.source.url);
  const json = JSON.parse(
    Buffer.from(await get(guard, url, MAX_MODEL_JSON_BYTES, 'model.json')).toString('utf8'),
  );
  const { model, paths, bytes } = checkTfjsManifest(json, MAX_BASE_MODEL_BYTES);
  const shape = request.input_shape ?? inputShapeOf(model.modelTopology);
  if (
    shape?.length !== 3 ||
    shape.some((d) => !Number.isInteger(d) || d <= 0) ||
    ![1, 3].includes(shape[2]!)
  ) {
    throw new ValidationError(
      `the model's input shape is ${JSON.stringify(shape ?? 'unknown')}; expected an image model [height, width, 1 or 3] — give input_shape if model.json does not say`,
      { param: 'input_shape' },
    );
  }
  const id = newId('bm');
  const prefix = keys.baseModel(id);
  try {
    let total = 0;
    for (const path of paths) {
      const data = await get(
        guard,
        new URL(path, url),
        MAX_BASE_MODEL_BYTES - total,
        `weights ${path}`,
      );
      total += data.length;
      await storage.putBytes(keys.baseModelFile(id, path), data, 'application/octet-stream');
    }
    if (total !== bytes) {
      throw new UnprocessableError(
        `model.json declares ${bytes} bytes of weights but the shards hold ${total}`,
        {
          param: 'source.url',
          code: 'weights_size_mismatch',
        },
      );
    }
    await storage.putJson(keys.baseModelFile(id, modelFolderFiles.modelJson), json);
    const channels = shape[2] as 1 | 3;
    const norm = request.normalization ?? { mean: [0.5], std: [0.5] };
    const per = (v: number[]) => Array.from({ length: channels }, (_, i) => v[i] ?? v[0]!);
    const preprocess: Preprocess = {
      version: 1,
      task: 'image_classification',
      input: {
        kind: 'image',
        height: shape[0]!,
        width: shape[1]!,
        channels,
        mean: per(norm.mean),
        std: per(norm.std),
      },
      labels: null,
      target: null,
    };
    await storage.putJson(keys.baseModelFile(id, modelFolderFiles.preprocess), preprocess);
    const layers = topologyLayerNames(model.modelTopology).length;
    const record: BaseModelRecord = {
      id,
      object: 'base_model',
      project,
      name: request.name,
      task: 'image_classification',
      input_shape: shape,
      source: { url: request.source.url },
      location: `s3://${storage.bucket}/${prefix}`,
      bytes: total,
      layers,
      status: 'ready',
      created_at: unixSeconds(),
    };
    await storage.putJson(keys.baseModelRecord(id), record);
    return record;
  } catch (error) {
    await storage.deletePrefix(prefix);
    throw error;
  }
}

/**
 * One base model: a built-in one (from the catalog, installed or not; every project sees them)
 * or one `project` imported (another project's is a 404 exactly like a missing one).
 */
export async function getBaseModel(
  storage: Storage,
  id: string,
  project: string,
): Promise<BaseModelRecord> {
  const record = await readBaseModelRecord(storage, id);
  if (!record || (!record.builtin && !inProject(record, project)))
    throw new NotFoundError(`No base model ${JSON.stringify(id)}`, {
      param: 'id',
      code: 'base_model_not_found',
    });
  return { ...record, project: projectOf(record) };
}

/**
 * Base models, oldest first: the ones `project` imported, then the built-in ones (from the
 * catalog, so they are listed whether or not they are in the store yet; their ids sort after
 * every generated id).
 */
export async function listBaseModels(
  storage: Storage,
  limit: number,
  after: string | undefined,
  project: string,
) {
  const builtins = builtinRecords(storage.bucket).filter(
    (b) => after === undefined || b.id > after,
  );
  let imported: BaseModelRecord[] = [];
  let importedMore = false;
  let lastScanned: string | null = null;
  if (!after || !builtinRecord(after, storage.bucket)) {
    // A folder without a record (an import cut short) or a built-in's installed copy is skipped.
    const page = await projectPage({
      storage,
      prefix: prefixes.baseModels,
      kind: 'bm',
      project,
      limit,
      after,
      read: async (id) => {
        if (builtinRecord(id, storage.bucket)) return undefined;
        const record = await storage.tryGetJson(keys.baseModelRecord(id), baseModelSchema);
        return record && { ...record, project: projectOf(record) };
      },
    });
    imported = page.data;
    importedMore = page.has_more;
    lastScanned = page.last_id;
  }
  const appended = importedMore ? [] : builtins.slice(0, limit - imported.length);
  return {
    data: [...imported, ...appended],
    has_more: importedMore || builtins.length > appended.length,
    last_id: appended.at(-1)?.id ?? lastScanned ?? null,
  };
}
