import {
  inProject,
  jobSpecSchema,
  keys,
  type Logger,
  type Model,
  type ModelManifest,
  modelCardSchema,
  modelManifestSchema,
  modelMetricsSchema,
  NotFoundError,
  prefixes,
  projectOf,
  projectPage,
  type Storage,
} from '@trainyard/shared';
import type { z } from 'zod';

function notFound(id: string): NotFoundError {
  return new NotFoundError(`No model with id ${JSON.stringify(id)}`, {
    param: 'id',
    code: 'model_not_found',
  });
}

const ID = /^model_[0-9a-z]+$/;

/**
 * Published models: a model exists once `models/<id>/manifest.json` does (the trainer writes it
 * last), so a model still being written is neither listed nor shown.
 */
export class ModelStore {
  constructor(
    private readonly storage: Storage,
    private readonly logger: Logger,
  ) {}

  /**
   * `project`'s models, oldest first (ids sort by their job's creation); `after` is the last id
   * of the previous page.
   */
  async list(limit: number, after: string | undefined, project: string) {
    return projectPage({
      storage: this.storage,
      prefix: prefixes.models,
      kind: 'model',
      project,
      limit,
      after,
      read: (id) => this.manifest(id),
    });
  }

  /**
   * The manifest with the card and the metrics (null where a file is missing or unreadable).
   * With `project`, another project's model is a 404 exactly like a missing one.
   */
  async get(id: string, project?: string): Promise<Model> {
    const manifest = await this.manifest(id);
    if (!manifest || (project !== undefined && !inProject(manifest, project))) throw notFound(id);
    const [card, metrics] = await Promise.all([
      this.optional(id, 'card.json', modelCardSchema),
      this.optional(id, 'metrics.json', modelMetricsSchema),
    ]);
    return { ...manifest, card, metrics };
  }

  /**
   * Deletes every object under `models/<id>/`, a half-written model's included (its project is
   * then its job's). With `project`, another project's model is a 404.
   */
  async delete(
    id: string,
    project?: string,
  ): Promise<{ id: string; object: 'model'; deleted: true }> {
    if (!ID.test(id)) throw notFound(id);
    const { objects } = await this.storage.listPage(keys.model(id), { limit: 1 });
    if (objects.length === 0) throw notFound(id);
    if (project !== undefined && (await this.owner(id)) !== project) throw notFound(id);
    // The manifest first: readers stop seeing the model before its files go.
    await this.storage.delete(keys.modelManifest(id));
    await this.storage.deletePrefix(keys.model(id));
    return { id, object: 'model', deleted: true };
  }

  /** The project of a model: its manifest's, or (not yet published) its job's. */
  private async owner(id: string): Promise<string> {
    const manifest = await this.manifest(id);
    if (manifest) return projectOf(manifest);
    const job = `ftjob_${id.slice('model_'.length)}`;
    const spec = await this.storage
      .tryGetJson(keys.jobSpec(job), jobSpecSchema)
      .catch(() => undefined);
    return projectOf(spec ?? {});
  }

  /** The manifest with its `project` filled in (records from before projects: the default). */
  private async manifest(id: string): Promise<ModelManifest | undefined> {
    if (!ID.test(id)) return undefined;
    const manifest = await this.storage.tryGetJson(keys.modelManifest(id), modelManifestSchema);
    return manifest && { ...manifest, project: projectOf(manifest) };
  }

  private async optional<S extends z.ZodType>(id: string, file: string, schema: S) {
    try {
      return (await this.storage.tryGetJson(keys.modelFile(id, file), schema)) ?? null;
    } catch (error) {
      this.logger.warn({ err: error, model: id, file }, 'model file does not match its schema');
      return null;
    }
  }
}
