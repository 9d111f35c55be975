import type { DatasetService } from '@trainyard/datasets';
import type { JobQueue } from '@trainyard/queue';
import {
  baseModelSchema,
  builtinBaseModel,
  builtinBaseRecord,
  type Config,
  type CreateJob,
  type Dataset,
  type DatasetManifest,
  datasetManifestSchema,
  gridSize,
  type JobEventLog,
  type JobSpec,
  type JobStore,
  jobFailed,
  keys,
  modelManifestSchema,
  NotFoundError,
  newId,
  newWebhookSecret,
  resolveJobSpec,
  type Storage,
  UnprocessableError,
  ValidationError,
} from '@trainyard/shared';
import { z } from 'zod';
import { checkModelSize } from './job-model-size';

/** What kind of input a task's models take (the `input.kind` of a model's `preprocess.json`). */
const INPUT_KIND: Record<Dataset['task'], string> = {
  image_classification: 'image',
  tabular_classification: 'table',
  tabular_regression: 'table',
  text_classification: 'text',
};

const preprocessKindSchema = z.object({ input: z.object({ kind: z.string() }).loose() }).loose();

export interface JobCreatorDeps {
  readonly storage: Storage;
  readonly datasets: DatasetService;
  readonly store: JobStore;
  readonly log: JobEventLog;
  readonly queue: JobQueue;
  /**
   * Runtime, grid and model-size bounds (JOB_MAX_RUNTIME_S, TUNING_MAX_TRIAL_RUNTIME_S,
   * TUNING_MAX_GRID_POINTS, JOB_MAX_PARAMETERS, JOB_MAX_MEMORY_BYTES).
   */
  readonly limits: Config['jobs'];
}

/**
 * `POST /v1/fine-tuning/jobs`: everything is checked before anything is written (dataset ready,
 * base model present and fit for the task, the spec's combinations), so a refused request
 * leaves nothing behind. Then the spec and the first events are stored, and the queue takes it.
 */
export class JobCreator {
  constructor(private readonly deps: JobCreatorDeps) {}

  async create(request: CreateJob): Promise<{ spec: JobSpec; secret: string | undefined }> {
    const { spec } = await this.resolve(newId('ftjob'), request);
    const id = spec.id;
    const secret = spec.webhook ? (request.webhook?.secret ?? newWebhookSecret()) : undefined;
    await this.deps.store.create(spec, secret);
    try {
      await this.deps.queue.submit(spec);
    } catch (error) {
      // The job exists now: end it in its log, so that it does not wait as queued forever.
      const message = `The queue did not take the job: ${(error as Error).message}`;
      await this.deps.log.append(id, jobFailed({ code: 'queue_unavailable', message }));
      throw error;
    }
    return { spec, secret };
  }

  /**
   * Every check creation makes, and the spec with every default, writing nothing: what `create`
   * stores and what `POST /v1/fine-tuning/jobs/plan` shows.
   */
  async resolve(
    id: string,
    request: CreateJob,
  ): Promise<{
    spec: JobSpec;
    dataset: Dataset;
    validation: Dataset | undefined;
    manifest: DatasetManifest | undefined;
  }> {
    const dataset = await this.readyDataset(request.dataset, 'body.dataset');
    let validation: Dataset | undefined;
    if (request.validation_dataset) {
      validation = await this.readyDataset(request.validation_dataset, 'body.validation_dataset');
      if (validation.task !== dataset.task) {
        throw new UnprocessableError(
          `validation_dataset ${validation.id} is ${validation.task}; the dataset is ${dataset.task}`,
          { param: 'body.validation_dataset', code: 'dataset_task_mismatch' },
        );
      }
    }
    if (request.base_model && request.base_model !== 'none') {
      await this.checkBaseModel(request.base_model, dataset.task);
    }
    let spec: JobSpec;
    try {
      spec = resolveJobSpec(id, request, dataset);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(error.message, {
        code: error.code,
        ...(error.param ? { param: `body.${error.param}` } : {}),
      });
    }
    const bounded = this.bound(request, spec);
    const manifest =
      (await this.deps.storage.tryGetJson(
        keys.datasetManifest(dataset.id),
        datasetManifestSchema,
      )) ?? undefined;
    checkModelSize(
      { spec: bounded, dataset, manifest, validationDataset: validation },
      this.deps.limits,
    );
    return { spec: bounded, dataset, validation, manifest };
  }

  /**
   * The job's bounds: its runtime and its trials' within the configured ceilings (and filled in
   * from them), and a grid search no larger than TUNING_MAX_GRID_POINTS, counted without listing it.
   */
  private bound(request: CreateJob, spec: JobSpec): JobSpec {
    const { maxRuntimeSeconds, maxTrialRuntimeSeconds, maxGridPoints } = this.deps.limits;
    const runtime = request.max_runtime_seconds ?? maxRuntimeSeconds;
    if (runtime > maxRuntimeSeconds) {
      throw new ValidationError(
        `max_runtime_seconds: received ${runtime}; a job may run at most ${maxRuntimeSeconds} seconds here (JOB_MAX_RUNTIME_S)`,
        { param: 'body.max_runtime_seconds', code: 'runtime_over_limit' },
      );
    }
    if (!spec.tuning) return { ...spec, max_runtime_seconds: runtime };
    const trialRuntime = spec.tuning.max_trial_runtime_seconds ?? maxTrialRuntimeSeconds;
    if (trialRuntime > maxTrialRuntimeSeconds) {
      throw new ValidationError(
        `tuning.max_trial_runtime_seconds: received ${trialRuntime}; a trial may run at most ${maxTrialRuntimeSeconds} seconds here (TUNING_MAX_TRIAL_RUNTIME_S)`,
        { param: 'body.tuning.max_trial_runtime_seconds', code: 'runtime_over_limit' },
      );
    }
    const space = spec.tuning.search_space;
    if (spec.tuning.strategy === 'grid') {
      const size = gridSize(space);
      const real = Object.entries(space).find(
        ([, p]) => (p.type === 'uniform' || p.type === 'log_uniform') && !p.grid_points,
      );
      if (size === undefined && real) {
        throw new ValidationError(
          `${real[0]}: a ${real[1].type} range has no grid of its own; the grid strategy needs "grid_points" (2 or more) on it, or use "int" or "choice"`,
          {
            param: `body.tuning.search_space[${JSON.stringify(real[0])}].grid_points`,
            code: 'grid_points_required',
          },
        );
      }
      if (size !== undefined && size > maxGridPoints) {
        const counts = Object.values(space).map((p) =>
          p.type === 'choice'
            ? p.values.length
            : p.type === 'int'
              ? Math.floor((p.max - p.min) / (p.step ?? 1)) + 1
              : p.grid_points!,
        );
        throw new ValidationError(
          `The grid has ${size} points (${counts.join(' × ')}); a grid search may have at most ${maxGridPoints} (TUNING_MAX_GRID_POINTS): use fewer values, or the random or bayesian strategy`,
          { param: 'body.tuning.search_space', code: 'grid_too_large' },
        );
      }
    }
    return {
      ...spec,
      max_runtime_seconds: runtime,
      tuning: { ...spec.tuning, max_trial_runtime_seconds: trialRuntime },
    };
  }

  private async readyDataset(id: string, param: string): Promise<Dataset> {
    let dataset: Dataset;
    try {
      dataset = await this.deps.datasets.get(id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      throw new NotFoundError(`No dataset with id ${JSON.stringify(id)}`, {
        param,
        code: 'dataset_not_found',
      });
    }
    if (dataset.status !== 'ready') {
      throw new UnprocessableError(
        `Dataset ${id} is ${dataset.status}; a job needs a ready dataset${dataset.status === 'invalid' ? ' (see its report)' : ''}`,
        { param, code: 'dataset_not_ready' },
      );
    }
    return dataset;
  }

  /** `model_…`: a published platform model, `bm_…`: an imported or built-in one; of the task's input kind. */
  private async checkBaseModel(id: string, task: Dataset['task']): Promise<void> {
    const { storage } = this.deps;
    const param = 'body.base_model';
    const missing = () =>
      new NotFoundError(`No base model ${JSON.stringify(id)}`, {
        param,
        code: 'base_model_not_found',
      });
    const prefix = id.startsWith('model_') ? keys.model(id) : keys.baseModel(id);
    let kind: string | undefined;
    if (id.startsWith('model_')) {
      const manifest = await storage.tryGetJson(keys.modelManifest(id), modelManifestSchema);
      if (!manifest) throw missing();
      kind = INPUT_KIND[manifest.task];
    } else {
      // An import writes its record last: without it there is no (whole) base model. A built-in
      // one is in the catalog whether or not the trainer has installed it into the store yet.
      const builtin = builtinBaseModel(id);
      const record = builtin
        ? builtinBaseRecord(builtin, storage.bucket)
        : await storage.tryGetJson(keys.baseModelRecord(id), baseModelSchema);
      if (!record) throw missing();
      kind = INPUT_KIND[record.task];
    }
    const bytes = await storage.tryGetBytes(`${prefix}preprocess.json`);
    if (bytes) {
      const parsed = preprocessKindSchema.safeParse(JSON.parse(Buffer.from(bytes).toString()));
      if (parsed.success) kind = parsed.data.input.kind;
    }
    if (kind !== undefined && kind !== INPUT_KIND[task]) {
      throw new UnprocessableError(
        `Base model ${id} takes ${kind} inputs; a ${task} dataset needs one that takes ${INPUT_KIND[task]} inputs`,
        { param, code: 'base_model_mismatch' },
      );
    }
  }
}
