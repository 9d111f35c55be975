import { type Core, unwrap } from '../core';
import { TrainyardError } from '../errors';
import { PageIterator } from '../pagination';
import { sleep } from '../transport';
import type {
  AugmentationPreview,
  AugmentationPreviewRequest,
  CreateDataset,
  CreatedDataset,
  Dataset,
  ListParams,
} from '../types';
import { type UploadOptions, type UploadResult, uploadFile } from '../uploads';

/** Polling of a dataset that is still `validating`. */
export interface WaitOptions {
  /** Between two looks. Default 1000 ms. */
  readonly pollMs?: number;
  /** Give up after this long (a `TrainyardError` with code `timeout`). Default 10 minutes. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** `datasets.createFromFile`: the dataset's fields, its file, and how to upload and wait. */
export interface CreateFromFileOptions extends UploadOptions, WaitOptions {
  /** Wait while the server validates beyond its answer to `complete`. Default true. */
  readonly wait?: boolean;
}

/** `/v1/datasets`: create, upload, validate, list, show, delete. */
export class Datasets {
  constructor(private readonly core: Core) {}

  /**
   * Creates a dataset awaiting its file. Pass `size_bytes` for files that may go multipart:
   * the answer's `upload` then holds presigned part URLs. Throws `BadRequestError` (`param`
   * names the field) on a bad spec.
   */
  create(body: CreateDataset, options: { idempotencyKey?: string } = {}): Promise<CreatedDataset> {
    return unwrap(
      this.core.api.POST('/v1/datasets', {
        body,
        ...(options.idempotencyKey
          ? { headers: { 'Idempotency-Key': options.idempotencyKey } }
          : {}),
      }),
    ) as Promise<CreatedDataset>;
  }

  /** One dataset with its validation report. Throws `NotFoundError`. */
  get(id: string): Promise<Dataset> {
    return unwrap(this.core.api.GET('/v1/datasets/{id}', { params: { path: { id } } }));
  }

  /** Datasets, oldest first: `await` for a page, `for await` for every one. */
  list(params: ListParams = {}): PageIterator<Dataset> {
    return new PageIterator(
      (query) => unwrap(this.core.api.GET('/v1/datasets', { params: { query } })),
      params,
    );
  }

  /** Deletes a dataset and its files. Throws `NotFoundError`. */
  delete(id: string): Promise<{ id: string; object: 'dataset'; deleted: true }> {
    return unwrap(this.core.api.DELETE('/v1/datasets/{id}', { params: { path: { id } } }));
  }

  /**
   * Uploads the file of a dataset, by the route its size calls for (through the API up to
   * its cap, else presigned PUT, else presigned multipart with parallel parts). `target` is
   * `create`'s answer, or an id (through the API only). See `uploadFile`.
   */
  upload(
    target: CreatedDataset | string,
    file: Blob,
    options: UploadOptions = {},
  ): Promise<UploadResult> {
    return uploadFile(this.core, target, file, options);
  }

  /**
   * Validates the uploaded file (completing a multipart upload with `parts`). Answers the
   * dataset `ready` or `invalid` with its report, or still `validating` when the server took
   * longer than about 20 s (see `waitUntilValidated`).
   */
  complete(id: string, upload: Pick<UploadResult, 'parts'> = {}): Promise<Dataset> {
    return unwrap(
      this.core.api.POST('/v1/datasets/{id}/complete', {
        params: { path: { id } },
        ...(upload.parts ? { body: { parts: upload.parts } } : {}),
      }),
    );
  }

  /**
   * A few of an image dataset's images after `request.augmentation` (as a job spec's), drawn by
   * the trainer's own augmentation code, as PNG data URLs beside each original. Throws
   * `BadRequestError` naming a bad field, `UnprocessableEntityError` for a dataset that is not an
   * image-folder zip, `NotFoundError`.
   */
  previewAugmentation(
    id: string,
    request: Partial<AugmentationPreviewRequest> = {},
  ): Promise<AugmentationPreview> {
    return unwrap(
      this.core.api.POST('/v1/datasets/{id}/augmentation-preview', {
        params: { path: { id } },
        body: request as AugmentationPreviewRequest,
      }),
    );
  }

  /** Polls a `validating` dataset until it is `ready` or `invalid`. */
  async waitUntilValidated(id: string, options: WaitOptions = {}): Promise<Dataset> {
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    for (;;) {
      const dataset = await this.get(id);
      if (dataset.status !== 'validating' && dataset.status !== 'awaiting_upload') return dataset;
      if (Date.now() > deadline) {
        throw new TrainyardError(`Dataset ${id} still ${dataset.status}`, { code: 'timeout' });
      }
      await sleep(options.pollMs ?? 1000, options.signal);
    }
  }

  /**
   * The common path in one call: creates the dataset (with `size_bytes` = the file's size),
   * uploads the file, validates it and, with `wait` (default), waits for the verdict. Resolves
   * the dataset, `ready` or `invalid` (see `report.errors`); it does not throw for `invalid`.
   */
  async createFromFile(
    body: CreateDataset,
    file: Blob,
    options: CreateFromFileOptions = {},
  ): Promise<Dataset> {
    const created = await this.create({ ...body, size_bytes: file.size || undefined });
    const uploaded = await this.upload(created, file, options);
    const dataset = await this.complete(created.id, uploaded);
    return options.wait === false || dataset.status !== 'validating'
      ? dataset
      : this.waitUntilValidated(created.id, options);
  }
}
