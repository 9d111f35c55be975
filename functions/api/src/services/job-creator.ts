import type { DatasetService } from '@trainyard/datasets';
import type { JobQueue } from '@trainyard/queue';
import {
  type Config,
  type CreateJob,
  type Dataset,
  type DatasetManifest,
  datasetManifestSchema,
  type FoundBaseModel,
  findBaseModel,
  gridSize,
  type JobEventLog,
  type JobSpec,
  type JobStore,
  jobFailed,
  keys,
  modelFolderFiles,
  NotFoundError,
  nearLayerNames,
  newId,
  newWebhookSecret,
  OutboundError,
  type OutboundGuard,
  resolveJobSpec,
  type Storage,
  TASK_INPUT_KIND,
  topologyLayerNames,
  UnprocessableError,
  ValidationError,
} from '@trainyard/shared';
import { z } from 'zod';
import { checkModelSize } from './job-model-size';
import type { ProjectActiveJobs } from './project-active-jobs';

/** Only the topology of a stored model.json: its weights manifest is not read here. */
const modelJsonTopologySchema = z
  .object({ modelTopology: z.record(z.string(), z.unknown()) })
  .loose();

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
  /** PROJECT_MAX_ACTIVE_JOBS; without it, a project's jobs are not limited. */
  readonly activeJobs?: ProjectActiveJobs;
  /**
   * The guard webhook deliveries go through (OUTBOUND_ALLOW): a `webhook.url` it refuses is a 422
   * `outbound_refused` at creation, not a delivery failing on every try. Without it, not checked.
   */
  readonly outbound?: OutboundGuard;
}

/**
 * `POST /v1/fine-tuning/jobs`: everything is checked before anything is written (dataset ready,
 * base model present and fit for the task, the spec's combinations), so a refused request
 * leaves nothing behind. Then the spec and the first events are stored, and the queue takes it.
 */
export class JobCreator {
  constructor(private readonly deps: JobCreatorDeps) {}

  /** Creates a job of `project`; what it trains from must be that project's (404 otherwise). */
  async create(
    request: CreateJob,
    project: string,
  ): Promise<{ spec: JobSpec; secret: string | undefined }> {
    const { spec } = await this.resolve(newId('ftjob'), request, project);
    const id = spec.id;
    const secret = spec.webhook ? (request.webhook?.secret ?? newWebhookSecret()) : undefined;
    const store = () => this.deps.store.create(spec, secret);
    await (this.deps.activeJobs ? this.deps.activeJobs.admit(project, id, store) : store());
    await this.refuseIfDatasetDeleted(spec);
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
   * After the job is stored: when a delete of its dataset (or validation dataset) began meanwhile,
   * the job is ended in its log (`dataset_not_found`, never queued) and `NotFoundError` (404
   * `dataset_not_found`) is thrown. The delete writes its tombstone before it looks for jobs, so
   * one of the two always sees the other.
   */
  private async refuseIfDatasetDeleted(spec: JobSpec): Promise<void> {
    for (const [id, param] of [
      [spec.dataset, 'body.dataset'],
      [spec.validation_dataset, 'body.validation_dataset'],
    ] as const) {
      if (!id || !(await this.deps.datasets.isDeleted(id))) continue;
      const message = `Dataset ${id} was deleted while the job was being created`;
      await this.deps.log.append(spec.id, jobFailed({ code: 'dataset_not_found', message }));
      throw new NotFoundError(`${message}; the job was not started`, {
        param,
        code: 'dataset_not_found',
      });
    }
  }

  /**
   * Throws `OutboundError` (422 `outbound_refused`, param `body.webhook.url`) for a webhook URL
   * the delivery guard would refuse (an internal address, a scheme other than http(s)). A name
   * that does not resolve now is let through: it may resolve by the time the job ends.
   */
  private async checkWebhook(url: string): Promise<void> {
    const param = 'body.webhook.url';
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OutboundError('outbound_refused', { param });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new OutboundError('outbound_refused', { param });
    try {
      await this.deps.outbound!.check(parsed, param);
    } catch (error) {
      if (error instanceof OutboundError && error.code === 'outbound_failed') return;
      throw error;
    }
  }

  /**
   * Every check creation makes, and the spec with every default, writing nothing: what `create`
   * stores and what `POST /v1/fine-tuning/jobs/plan` shows.
   */
  async resolve(
    id: string,
    request: CreateJob,
    project: string,
  ): Promise<{
    spec: JobSpec;
    dataset: Dataset;
    validation: Dataset | undefined;
    manifest: DatasetManifest | undefined;
  }> {
    const dataset = await this.readyDataset(request.dataset, 'body.dataset', project);
    let validation: Dataset | undefined;
    if (request.validation_dataset) {
      validation = await this.readyDataset(
        request.validation_dataset,
        'body.validation_dataset',
        project,
      );
      if (validation.task !== dataset.task) {
        throw new UnprocessableError(
          `validation_dataset ${validation.id} is ${validation.task}; the dataset is ${dataset.task}`,
          { param: 'body.validation_dataset', code: 'dataset_task_mismatch' },
        );
      }
    }
    const named =
      request.base_model && request.base_model !== 'none'
        ? await this.checkBaseModel(request.base_model, dataset.task, project)
        : undefined;
    if (request.webhook && this.deps.outbound) await this.checkWebhook(request.webhook.url);
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
    if (request.architecture?.cut_layer && spec.base_model) {
      // The base looked up once: the one the request named, else the default the spec chose.
      const base =
        named?.id === spec.base_model
          ? named
          : await findBaseModel(this.deps.storage, spec.base_model, project);
      if (base) await this.checkCutLayer(base, request.architecture.cut_layer);
    }
    const bounded = { ...this.bound(request, spec), project };
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

  private async readyDataset(id: string, param: string, project: string): Promise<Dataset> {
    let dataset: Dataset;
    try {
      dataset = await this.deps.datasets.get(id, project);
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

  /**
   * A 422 naming `body.architecture.cut_layer` when the base's model.json has no top-level layer
   * `name` (what the trainer's `getLayer` would fail on, minutes later), naming the layers it most
   * likely meant (`nearLayerNames`), or else the base's last layers. A built-in base not yet installed
   * in the store (it installs at `npm start`) is left to the trainer's own check.
   */
  private async checkCutLayer(found: FoundBaseModel, name: string): Promise<void> {
    const baseModel = found.id;
    const json = await this.deps.storage.tryGetJson(
      keys.inFolder(found.folder, modelFolderFiles.modelJson),
      modelJsonTopologySchema,
    );
    if (!json) return;
    const names = topologyLayerNames(json.modelTopology);
    if (names.length === 0 || names.includes(name)) return;
    const near = nearLayerNames(name, names);
    const shown = near.length > 0 ? near : names.slice(-12);
    throw new UnprocessableError(
      `architecture.cut_layer ${JSON.stringify(name)} is not a layer of ${baseModel}; ${near.length > 0 ? `did you mean ${near[0]}? ` : ''}expected one of its ${names.length} layers${near.length > 0 ? ', such as' : ', the last of which are'} ${shown.join(', ')}${names.length > shown.length ? ', …' : ''}`,
      { param: 'body.architecture.cut_layer', code: 'cut_layer_not_found' },
    );
  }

  /**
   * `model_…`: a published platform model, `bm_…`: an imported or built-in one; of the task's
   * input kind. Another project's model or imported base model is as missing as an unknown one.
   */
  private async checkBaseModel(
    id: string,
    task: Dataset['task'],
    project: string,
  ): Promise<FoundBaseModel> {
    const param = 'body.base_model';
    const found = await findBaseModel(this.deps.storage, id, project);
    if (!found) {
      throw new NotFoundError(`No base model ${JSON.stringify(id)}`, {
        param,
        code: 'base_model_not_found',
      });
    }
    if (found.takes !== TASK_INPUT_KIND[task]) {
      throw new UnprocessableError(
        `Base model ${id} takes ${found.takes} inputs; a ${task} dataset needs one that takes ${TASK_INPUT_KIND[task]} inputs`,
        { param, code: 'base_model_mismatch' },
      );
    }
    return found;
  }
}
