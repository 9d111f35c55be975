import {
  inProject,
  jobSpecSchema,
  keys,
  type Logger,
  type Model,
  type ModelManifest,
  modelCardSchema,
  modelInputOf,
  modelManifestSchema,
  modelMetricsSchema,
  modelTombstoneSchema,
  NotFoundError,
  prefixes,
  preprocessSchema,
  projectOf,
  projectPage,
  type Storage,
  unixSeconds,
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
  /**
   * `onDeleted` is called with a model's id once `delete` has removed it: `npm start` drops the
   * model from its inference function's cache there, so the deleted model stops answering at once.
   */
  constructor(
    private readonly storage: Storage,
    private readonly logger: Logger,
    private readonly onDeleted?: (id: string) => void,
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
   * The manifest with the card, the metrics, the model's input and labels (each null where its
   * file is missing or unreadable).
   * With `project`, another project's model is a 404 exactly like a missing one.
   */
  async get(id: string, project?: string): Promise<Model> {
    const manifest = await this.manifest(id);
    if (!manifest) throw await this.missing(id, project);
    if (project !== undefined && !inProject(manifest, project)) throw notFound(id);
    const [card, metrics, preprocess] = await Promise.all([
      this.optional(id, 'card.json', modelCardSchema),
      this.optional(id, 'metrics.json', modelMetricsSchema),
      this.optional(id, 'preprocess.json', preprocessSchema),
    ]);
    return {
      ...manifest,
      card,
      metrics,
      input: preprocess ? modelInputOf(preprocess) : null,
      labels: preprocess?.labels ?? null,
    };
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
    if (objects.length === 0) throw await this.missing(id, project);
    const owner = await this.owner(id);
    if (project !== undefined && owner !== project) throw notFound(id);
    // The tombstone first, beside the folder: from here on a GET says the model was deleted.
    await this.storage.putJson(keys.modelTombstone(id), {
      id,
      project: owner,
      deleted_at: unixSeconds(),
    });
    // The manifest next: readers stop seeing the model before its files go.
    await this.storage.delete(keys.modelManifest(id));
    await this.storage.deletePrefix(keys.model(id));
    this.onDeleted?.(id);
    return { id, object: 'model', deleted: true };
  }

  /**
   * The 404 for a model that is not there: one that `delete` removed says so (its job's
   * `result_model` still names it), to its own project's keys only; any other is "no model".
   */
  private async missing(id: string, project: string | undefined): Promise<NotFoundError> {
    if (!ID.test(id)) return notFound(id);
    const tombstone = await this.storage
      .tryGetJson(keys.modelTombstone(id), modelTombstoneSchema)
      .catch(() => undefined);
    if (!tombstone || (project !== undefined && tombstone.project !== project)) return notFound(id);
    const when = new Date(tombstone.deleted_at * 1000).toISOString();
    return new NotFoundError(
      `Model ${JSON.stringify(id)} was deleted at ${when} (DELETE /v1/models/{id}); its job's result_model still names it, but its files are gone: train again to get a new model`,
      { param: 'id', code: 'model_not_found' },
    );
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
