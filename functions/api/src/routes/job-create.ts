import type { DatasetService } from '@trainyard/datasets';
import type { JobQueue } from '@trainyard/queue';
import {
  baseModelSchema,
  type CreateJob,
  type Dataset,
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
}

/**
 * `POST /v1/fine-tuning/jobs`: everything is checked before anything is written (dataset ready,
 * base model present and fit for the task, the spec's combinations), so a refused request
 * leaves nothing behind. Then the spec and the first events are stored, and the queue takes it.
 */
export class JobCreator {
  constructor(private readonly deps: JobCreatorDeps) {}

  async create(request: CreateJob): Promise<{ spec: JobSpec; secret: string | undefined }> {
    const dataset = await this.readyDataset(request.dataset, 'body.dataset');
    if (request.validation_dataset) {
      const validation = await this.readyDataset(
        request.validation_dataset,
        'body.validation_dataset',
      );
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
    const id = newId('ftjob');
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

  /** `model_…`: a published platform model, `bm_…`: an imported one; of the task's input kind. */
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
      // An import writes its record last: without it there is no (whole) base model.
      const record = await storage.tryGetJson(keys.baseModelRecord(id), baseModelSchema);
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
