import { type ImageDecoder, loadPredictor, type Predictor } from '@trainyard/predict';
import {
  type Config,
  inProject,
  isModelPredictionsFile,
  keys,
  type Logger,
  modelManifestSchema,
  modelTombstoneSchema,
  NotFoundError,
  projectOf,
  type Storage,
} from '@trainyard/shared';

const MODEL_ID = /^model_[0-9a-z]+$/;

export interface ModelCacheOptions {
  readonly storage: Pick<Storage, 'head' | 'getBytes' | 'tryGetJson'>;
  readonly logger: Logger;
  /** Sum of the loaded models' file sizes (manifest `files`) kept before the least recently used go. */
  readonly maxBytes: number;
  /**
   * How long a loaded model's manifest is trusted before one HEAD re-checks it (default 1000 ms):
   * a deleted model stops being served within this time.
   */
  readonly revalidateMs?: number;
  /** Largest image, in pixels, inputs may have (default `MAX_PREDICT_IMAGE_PIXELS`). */
  readonly maxImagePixels?: number;
  /**
   * How image inputs decode: on Node `sharpImageDecoder`, as training did (`prepareInferApp` sets
   * it); by default the portable one (the edge build).
   */
  readonly imageDecoder?: ImageDecoder;
}

interface Entry {
  readonly id: string;
  /** The project of the model (its manifest's): only that project's keys may use it. */
  readonly project: string;
  readonly predictor: Predictor;
  readonly bytes: number;
  readonly etag: string | undefined;
  checkedAt: number;
  /** Requests using the model now: an evicted model is disposed when the last one ends. */
  refs: number;
  evicted: boolean;
}

export interface ModelCacheStats {
  /** Models loaded from S3 since start. */
  loads: number;
  hits: number;
  evictions: number;
  /** Bytes (file sizes) of the models held now. */
  bytes: number;
  models: string[];
}

const notFound = (id: string) =>
  new NotFoundError(
    `No model ${JSON.stringify(id)}: expected the id of a published model (model_…)`,
    {
      code: 'model_not_found',
      param: 'id',
    },
  );

/**
 * Published models, loaded from S3 on first use and kept in an LRU bounded by bytes. Concurrent
 * first requests for a model share one load. A loaded model's manifest is re-checked with a HEAD
 * at most every `revalidateMs`, not on every request: a HEAD per prediction would add an S3 round
 * trip (milliseconds on AWS) to predictions that take about one, while the model's files never
 * change under one id (it derives from the job), so only deletion needs noticing.
 */
export class ModelCache {
  private readonly entries = new Map<string, Entry>(); // insertion order = recency
  private readonly loading = new Map<string, Promise<Entry>>();
  private readonly checking = new Map<string, Promise<Entry | undefined>>();
  private readonly revalidateMs: number;
  private held = 0;
  private counts = { loads: 0, hits: 0, evictions: 0 };

  constructor(private readonly options: ModelCacheOptions) {
    this.revalidateMs = options.revalidateMs ?? 1000;
  }

  /**
   * Runs `fn` with the model; the model is not disposed while `fn` runs, even if evicted. With
   * `project`, another project's model is a `NotFoundError` exactly like a missing one.
   */
  async use<T>(
    id: string,
    project: string | undefined,
    fn: (predictor: Predictor) => Promise<T> | T,
  ): Promise<T> {
    const entry = await this.acquire(id, project);
    try {
      return await fn(entry.predictor);
    } finally {
      entry.refs--;
      if (entry.evicted && entry.refs === 0) entry.predictor.dispose();
    }
  }

  /** Loads `ids` now (the warm-up list); failures are logged, not thrown. */
  async warm(ids: readonly string[]): Promise<void> {
    await Promise.all(
      ids.map((id) =>
        this.use(id, undefined, () => undefined).catch((error: unknown) =>
          this.options.logger.warn({ err: error, model: id }, 'warm-up load failed'),
        ),
      ),
    );
  }

  stats(): ModelCacheStats {
    return { ...this.counts, bytes: this.held, models: [...this.entries.keys()] };
  }

  /**
   * Drops model `id` now (the platform's API calls it when it deletes the model): the next request
   * re-reads the manifest, and a deleted model is a 404. A request using it already finishes first.
   */
  forget(id: string): void {
    const entry = this.entries.get(id);
    if (entry) this.evict(entry);
  }

  /** Disposes every model (shutdown, tests). */
  clear(): void {
    for (const entry of [...this.entries.values()]) this.evict(entry);
  }

  private async acquire(id: string, project: string | undefined): Promise<Entry> {
    if (!MODEL_ID.test(id)) throw notFound(id);
    if (project !== undefined && !this.entries.has(id)) {
      // Before loading: another project's key never makes this process load a model it may not
      // use (one GET of the manifest, on a first load only).
      const manifest = await this.options.storage.tryGetJson(
        keys.modelManifest(id),
        modelManifestSchema,
      );
      if (!manifest) throw await this.gone(id, project);
      if (!inProject(manifest, project)) throw notFound(id);
    }
    for (;;) {
      const entry = await this.find(id).catch(async (error: unknown) => {
        throw error instanceof NotFoundError ? await this.gone(id, project) : error;
      });
      if (project !== undefined && entry.project !== project) throw notFound(id);
      // Between the await and here another load may have evicted it; take a fresh one then.
      if (!entry.evicted) {
        entry.refs++;
        return entry;
      }
    }
  }

  /**
   * The 404 for a model with no manifest: one that `DELETE /v1/models/{id}` removed says so (from
   * its tombstone, one GET on this path only) to its own project's keys; any other is "no model".
   */
  private async gone(id: string, project: string | undefined): Promise<NotFoundError> {
    const tombstone = await this.options.storage
      .tryGetJson(keys.modelTombstone(id), modelTombstoneSchema)
      .catch(() => undefined);
    if (!tombstone || (project !== undefined && tombstone.project !== project)) return notFound(id);
    return new NotFoundError(
      `Model ${JSON.stringify(id)} was deleted at ${new Date(tombstone.deleted_at * 1000).toISOString()}: expected the id of a published model (model_…)`,
      { code: 'model_not_found', param: 'id' },
    );
  }

  private async find(id: string): Promise<Entry> {
    let entry = this.entries.get(id);
    if (entry && Date.now() - entry.checkedAt > this.revalidateMs)
      entry = await this.revalidate(entry);
    if (entry) {
      this.counts.hits++;
      this.entries.delete(id); // move to the most recent end
      this.entries.set(id, entry);
      return entry;
    }
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.load(id).finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  private revalidate(entry: Entry): Promise<Entry | undefined> {
    let pending = this.checking.get(entry.id);
    if (!pending) {
      pending = this.headManifest(entry).finally(() => this.checking.delete(entry.id));
      this.checking.set(entry.id, pending);
    }
    return pending;
  }

  private async headManifest(entry: Entry): Promise<Entry | undefined> {
    let head: Awaited<ReturnType<Storage['head']>>;
    try {
      head = await this.options.storage.head(keys.modelManifest(entry.id));
    } catch (error) {
      // S3 briefly unreachable: the loaded model is still the published one; check next time.
      this.options.logger.warn({ err: error, model: entry.id }, 'manifest re-check failed');
      return entry;
    }
    if (!head || head.etag !== entry.etag) {
      this.options.logger.info(
        { model: entry.id, deleted: !head },
        'model unpublished or replaced',
      );
      this.evict(entry);
      if (!head) throw notFound(entry.id);
      return undefined; // replaced: load the new one
    }
    entry.checkedAt = Date.now();
    return entry;
  }

  private async load(id: string): Promise<Entry> {
    const { storage, logger } = this.options;
    const started = performance.now();
    const head = await storage.head(keys.modelManifest(id));
    const manifest =
      head && (await storage.tryGetJson(keys.modelManifest(id), modelManifestSchema));
    if (!head || !manifest) throw notFound(id);
    const predictor = await loadPredictor((path) => storage.getBytes(keys.modelFile(id, path)), {
      where: `model ${id}`,
      ...(this.options.maxImagePixels ? { maxImagePixels: this.options.maxImagePixels } : {}),
      ...(this.options.imageDecoder ? { imageDecoder: this.options.imageDecoder } : {}),
    });
    predictor.warmUp();
    const entry: Entry = {
      id,
      project: projectOf(manifest),
      predictor,
      // What the predictor holds: the model's files, not its evaluation output.
      bytes: manifest.files
        .filter((f) => !isModelPredictionsFile(f.path))
        .reduce((n, f) => n + f.bytes, 0),
      etag: head.etag,
      checkedAt: Date.now(),
      refs: 0,
      evicted: false,
    };
    this.counts.loads++;
    this.entries.set(id, entry);
    this.held += entry.bytes;
    // The newest model stays even when alone over the bound: it is about to be used.
    for (const old of this.entries.values()) {
      if (this.held <= this.options.maxBytes || old === entry) break;
      this.evict(old);
    }
    logger.info(
      { model: id, bytes: entry.bytes, ms: Math.round(performance.now() - started) },
      'model loaded',
    );
    return entry;
  }

  private evict(entry: Entry): void {
    if (entry.evicted) return;
    entry.evicted = true;
    this.entries.delete(entry.id);
    this.held -= entry.bytes;
    this.counts.evictions++;
    if (entry.refs === 0) entry.predictor.dispose();
  }
}

/**
 * The one way the inference function builds its cache: `config.infer.cacheBytes` of models, on
 * `deps.storage`; `overrides` replace any option (tests shrink `maxBytes` or `revalidateMs`).
 */
export function createModelCache(
  deps: {
    readonly storage: ModelCacheOptions['storage'];
    readonly logger: Logger;
    readonly config: Config;
  },
  overrides: Partial<ModelCacheOptions> = {},
): ModelCache {
  return new ModelCache({
    storage: deps.storage,
    logger: deps.logger,
    maxBytes: deps.config.infer.cacheBytes,
    ...overrides,
  });
}
