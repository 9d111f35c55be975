import { type ClientOptions, Core } from './core';
import { type PredictInput, type PredictOptions, predict } from './predict';
import { BaseModels } from './resources/base-models';
import { Datasets } from './resources/datasets';
import { Jobs } from './resources/jobs';
import { Keys } from './resources/keys';
import { Models } from './resources/models';
import { Projects } from './resources/projects';
import type { PredictResponse } from './types';

/**
 * The Trainyard client.
 *
 * ```ts
 * const ty = new Trainyard({ apiKey, baseUrl: 'http://127.0.0.1:8787' });
 * const dataset = await ty.datasets.createFromFile({ name: 'iris', task: 'tabular_classification',
 *   format: 'csv', label_column: 'species' }, file);
 * const job = await ty.jobs.create({ dataset: dataset.id });
 * for await (const event of ty.jobs.follow(job.id)) console.log(event.type, event.message);
 * ```
 *
 * Every call throws a `TrainyardError` subclass for an error answer (by status, with the
 * server's `code`, `param` and `requestId`), after retrying 429, 5xx and network errors
 * (`maxRetries`, default 2, honouring `Retry-After`).
 */
export class Trainyard {
  readonly datasets: Datasets;
  readonly jobs: Jobs;
  readonly models: Models;
  readonly baseModels: BaseModels;
  readonly keys: Keys;
  readonly projects: Projects;
  /** The API's and the inference function's base URLs, and the typed low-level clients. */
  readonly core: Core;

  constructor(options: ClientOptions = {}) {
    this.core = new Core(options);
    this.datasets = new Datasets(this.core);
    this.jobs = new Jobs(this.core);
    this.models = new Models(this.core);
    this.baseModels = new BaseModels(this.core);
    this.keys = new Keys(this.core);
    this.projects = new Projects(this.core);
  }

  /** Predictions from a model (same as `models.predict`). */
  predict(
    model: string,
    input: PredictInput,
    options: PredictOptions = {},
  ): Promise<PredictResponse> {
    return predict(this.core, model, input, options);
  }
}
