import { type Core, unwrap } from '../core';
import { PageIterator } from '../pagination';
import type { BaseModel, CreateBaseModel, ListParams } from '../types';

/** `/v1/base-models`: the catalog of models to transfer from, and imports into it. */
export class BaseModels {
  constructor(private readonly core: Core) {}

  /** The catalog: `await` for a page, `for await` for every entry. */
  list(params: ListParams = {}): PageIterator<BaseModel> {
    return new PageIterator(
      (query) => unwrap(this.core.api.GET('/v1/base-models', { params: { query } })),
      params,
    );
  }

  /** One entry. Throws `NotFoundError`. */
  get(id: string): Promise<BaseModel> {
    return unwrap(this.core.api.GET('/v1/base-models/{id}', { params: { path: { id } } }));
  }

  /** Imports a TensorFlow.js model (`source.url` → its model.json) after checking it. */
  create(body: CreateBaseModel): Promise<BaseModel> {
    return unwrap(this.core.api.POST('/v1/base-models', { body }));
  }
}
