import { type Core, unwrap } from '../core';
import { PageIterator } from '../pagination';
import { type PredictInput, type PredictOptions, predict } from '../predict';
import type { ListParams, Model, ModelSummary, PredictResponse } from '../types';

/** `/v1/models`: the models jobs published, and predictions from them. */
export class Models {
  constructor(private readonly core: Core) {}

  /** Models, oldest first: `await` for a page, `for await` for every one. */
  list(params: ListParams = {}): PageIterator<ModelSummary> {
    return new PageIterator(
      (query) => unwrap(this.core.api.GET('/v1/models', { params: { query } })),
      params,
    );
  }

  /** A model's card: task, labels, input spec, preprocessing, metrics, lineage. */
  get(id: string): Promise<Model> {
    return unwrap<unknown, Model>(
      this.core.api.GET('/v1/models/{id}', { params: { path: { id } } }),
    );
  }

  /** Deletes a model. Throws `NotFoundError`. */
  delete(id: string) {
    return unwrap(this.core.api.DELETE('/v1/models/{id}', { params: { path: { id } } }));
  }

  /**
   * The model as a zip (`GET /v1/models/{id}/download`): model.json + weight shards,
   * the input encoding, card, metrics and a README. Throws `NotFoundError`.
   */
  async download(id: string): Promise<Blob> {
    const response = await this.core.request(`/v1/models/${encodeURIComponent(id)}/download`);
    return response.blob();
  }

  /** Predictions from the model, on the inference function. See `predict`. */
  predict(id: string, input: PredictInput, options: PredictOptions = {}): Promise<PredictResponse> {
    return predict(this.core, id, input, options);
  }
}
