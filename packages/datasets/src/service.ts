import { pipeline, Readable, Transform } from 'node:stream';
import {
  ConflictError,
  type CreateDataset,
  type Dataset,
  DEFAULT_PROJECT,
  inProject,
  isId,
  keys,
  type Logger,
  listRecordPage,
  NotFoundError,
  newId,
  PayloadTooLargeError,
  ProjectLock,
  prefixes,
  projectOf,
  projectPage,
  type Storage,
  UnprocessableError,
  unixSeconds,
  ValidationError,
} from '@trainyard/shared';
import { z } from 'zod';
import { encodingExists } from './encoding';
import { defaultLimits, type Limits } from './limits';
import { validateDataset } from './validate';

export interface DatasetServiceOptions {
  readonly storage: Storage;
  readonly logger: Logger;
  /** Largest file `PUT /v1/datasets/{id}/file` takes. */
  readonly uploadMaxBytes: number;
  /** Files announced larger than this get presigned multipart part URLs. Default 64 MiB. */
  readonly multipartThreshold?: number;
  /** Lifetime of presigned URLs, seconds. Default 1 hour. */
  readonly presignSeconds?: number;
  readonly limits?: Limits;
  /** How long `complete` waits for validation before answering `validating`. Default 20 s. */
  readonly waitMs?: number;
  /**
   * PROJECT_MAX_STORED_BYTES: most bytes of dataset files one project may hold (see
   * `storedBytes`). 0 or absent: no limit.
   */
  readonly maxProjectBytes?: number;
  /**
   * Ids of the unfinished jobs (queued, running) of a project that use a dataset: `delete`
   * refuses (409 `dataset_in_use`) while there are any. Absent: deletes are not checked.
   */
  readonly jobsUsing?: (datasetId: string, project: string) => Promise<string[]>;
}

/** A `validating` status older than this belongs to a process that died: `complete` may restart it. */
const STALE_VALIDATION_S = 15 * 60;
const MIN_PART = 8 * 1024 * 1024;
/**
 * The headers a presigned PUT must carry (`upload.headers`): `If-None-Match: *` is part of its
 * signature, so the URL writes the upload key once, and never after `complete` or a delete
 * (`sealUpload`).
 */
const UPLOAD_PUT_HEADERS = { 'If-None-Match': '*' } as const;

const uploadStateSchema = z.object({ upload_id: z.string(), part_size: z.number().int() });
const datasetRecordSchema = z.custom<Dataset>(
  (v) => typeof v === 'object' && v !== null && 'id' in v,
);

function notFound(id: string): NotFoundError {
  return new NotFoundError(`No dataset with id ${JSON.stringify(id)}`, {
    param: 'id',
    code: 'dataset_not_found',
  });
}

/**
 * Counts bytes through a stream and stops it past `max`, so an oversized body is never stored.
 * With `exact`, a body that ends short of `exact` bytes is refused too (`short(seen)`).
 */
function capBytes(
  max: number,
  message: (seen: number) => string,
  exact?: { bytes: number; short: (seen: number) => Error },
): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) done(new PayloadTooLargeError(message(seen)));
      else done(null, chunk);
    },
    flush(done) {
      if (exact && seen !== exact.bytes) done(exact.short(seen));
      else done();
    },
  });
}

/** The dataset lifecycle: create, upload (three routes), validate, show, list, delete. */
export class DatasetService {
  private readonly storage: Storage;
  private readonly running = new Map<string, Promise<Dataset>>();
  private recovering: Promise<void> | undefined;
  private readonly projectLock = new ProjectLock();

  constructor(readonly options: DatasetServiceOptions) {
    this.storage = options.storage;
  }

  /**
   * Creates a dataset of `project` (default: the default project) awaiting its file, with
   * presigned upload URLs. Throws `ValidationError` (400) for an unknown `csv.encoding`, and
   * `UnprocessableError` (422 `project_storage_full`) when `size_bytes` would take the project
   * past `maxProjectBytes`.
   */
  async create(input: CreateDataset, project: string = DEFAULT_PROJECT) {
    const encoding = input.csv?.encoding;
    if (encoding !== undefined && !encodingExists(encoding)) {
      throw new ValidationError(
        `csv.encoding: received ${JSON.stringify(encoding)}, which is not a known text encoding; expected a label such as "utf-8", "windows-1252", "iso-8859-1" or "utf-16le"`,
        { param: 'body.csv.encoding' },
      );
    }
    const declared = input.size_bytes;
    if (declared !== undefined && this.options.maxProjectBytes) {
      // Checked and recorded together: a concurrent create of the project sees this one.
      const dataset = await this.projectLock.run(project, async () => {
        await this.assertRoom(project, declared, undefined, 'body.size_bytes');
        return this.record(input, project);
      });
      return { dataset, upload: await this.presign(dataset.id, declared) };
    }
    const dataset = await this.record(input, project);
    return { dataset, upload: await this.presign(dataset.id, input.size_bytes) };
  }

  /** Writes a new dataset's record, awaiting its file. */
  private async record(input: CreateDataset, project: string): Promise<Dataset> {
    const now = unixSeconds();
    const dataset: Dataset = {
      id: newId('ds'),
      object: 'dataset',
      project,
      name: input.name,
      task: input.task,
      format: input.format,
      // In NFC, as the header's names are compared (`columnName`): what the manifest will say.
      label_column: input.label_column?.normalize('NFC') ?? null,
      ...(input.csv ? { csv: input.csv } : {}),
      merge_near_duplicate_labels: input.merge_near_duplicate_labels ?? false,
      status: 'awaiting_upload',
      created_at: now,
      updated_at: now,
      file: null,
      size_bytes: input.size_bytes ?? null,
      report: null,
    };
    await this.storage.putJson(keys.datasetMeta(dataset.id), dataset);
    return dataset;
  }

  /**
   * Bytes of `project`'s datasets, from their records: each one's file (`file.bytes`, once
   * uploaded), else the size it was created with (`size_bytes`, awaiting its upload), else 0.
   * `except`: a dataset left out (the one whose upload is being completed). Reads every
   * dataset record (a LIST and a GET each): creating a dataset is rare next to reading one.
   */
  async storedBytes(project: string, except?: string): Promise<number> {
    let total = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.list(100, after, project);
      for (const d of page.data) {
        if (d.id !== except) total += d.file?.bytes ?? d.size_bytes ?? 0;
      }
      if (!page.has_more || !page.last_id) return total;
      after = page.last_id;
    }
  }

  /**
   * Throws `UnprocessableError` (422 `project_storage_full`) when `adding` bytes would take
   * `project`'s datasets past PROJECT_MAX_STORED_BYTES; no-op without a limit.
   */
  private async assertRoom(
    project: string,
    adding: number,
    except: string | undefined,
    param: string,
  ): Promise<void> {
    const max = this.options.maxProjectBytes;
    if (!max) return;
    const held = await this.storedBytes(project, except);
    if (held + adding <= max) return;
    throw new UnprocessableError(
      `Project ${project} holds ${held} bytes of datasets; ${adding} more would make ${held + adding}, past its ${max} bytes (PROJECT_MAX_STORED_BYTES). Delete datasets it no longer needs, or ask for a higher limit`,
      { param, code: 'project_storage_full' },
    );
  }

  private async presign(id: string, size: number | undefined) {
    const expiresIn = this.options.presignSeconds ?? 3600;
    const expires_at = unixSeconds() + expiresIn;
    const key = keys.datasetUpload(id);
    if (size === undefined || size <= (this.options.multipartThreshold ?? 64 * 1024 * 1024)) {
      return {
        method: 'put' as const,
        url: await this.storage.presignPut(key, {
          expiresIn,
          ifNoneMatch: true,
          ...(size !== undefined ? { contentLength: size } : {}),
        }),
        headers: UPLOAD_PUT_HEADERS,
        expires_at,
      };
    }
    const partSize = Math.max(MIN_PART, Math.ceil(size / 10_000));
    const count = Math.ceil(size / partSize);
    const uploadId = await this.storage.createMultipartUpload(key);
    await this.storage.putJson(keys.datasetUploadState(id), {
      upload_id: uploadId,
      part_size: partSize,
    });
    const parts = [];
    for (let n = 1; n <= count; n++) {
      parts.push({
        part_number: n,
        url: await this.storage.presignUploadPart(key, uploadId, n, { expiresIn }),
      });
    }
    return {
      method: 'multipart' as const,
      upload_id: uploadId,
      part_size: partSize,
      parts,
      expires_at,
    };
  }

  /**
   * The dataset, with its `project` filled in. With `project`, another project's dataset is a
   * `NotFoundError` exactly like a missing one (ids cannot be probed); without it, any project's.
   */
  async get(id: string, project?: string): Promise<Dataset> {
    if (!/^ds_[0-9a-z]+$/.test(id)) throw notFound(id);
    const dataset = await this.storage.tryGetJson(keys.datasetMeta(id), datasetRecordSchema);
    if (!dataset || (project !== undefined && !inProject(dataset, project))) throw notFound(id);
    return { ...dataset, project: projectOf(dataset) };
  }

  /** `get`, with the record's ETag for a conditional write (`putJsonIf`). Throws like `get`. */
  private async getTagged(
    id: string,
    project?: string,
  ): Promise<{ dataset: Dataset; etag: string }> {
    if (!/^ds_[0-9a-z]+$/.test(id)) throw notFound(id);
    const got = await this.storage.tryGetJsonTagged(keys.datasetMeta(id), datasetRecordSchema);
    if (!got || (project !== undefined && !inProject(got.value, project))) throw notFound(id);
    return { dataset: { ...got.value, project: projectOf(got.value) }, etag: got.etag };
  }

  /**
   * Oldest first; `after` is the last id of the previous page. With `project`, only that
   * project's datasets (pages stay full: see `projectPage`); without it, every project's.
   */
  async list(limit: number, after?: string, project?: string) {
    if (project !== undefined) {
      return projectPage({
        storage: this.storage,
        prefix: prefixes.datasets,
        kind: 'ds',
        project,
        limit,
        after,
        read: async (id) => {
          const d = await this.storage.tryGetJson(keys.datasetMeta(id), datasetRecordSchema);
          return d && { ...d, project: projectOf(d) };
        },
      });
    }
    return listRecordPage<Dataset>(this.storage, prefixes.datasets, {
      limit,
      after,
      isId: (name) => isId('ds', name),
      folder: keys.dataset,
      read: (id) => this.storage.tryGetJson(keys.datasetMeta(id), datasetRecordSchema),
    });
  }

  /**
   * Uploads (through the API, and the upload that `complete` takes) are for a dataset still
   * awaiting its file: once it is validating, ready or invalid, its file is the one it was
   * validated from (409; create a new dataset for new data).
   */
  private assertAwaitingUpload(dataset: Dataset): void {
    if (dataset.status === 'awaiting_upload') return;
    if (dataset.status === 'ready') {
      throw new ConflictError(
        `Dataset ${dataset.id} is ready and immutable; create a new dataset for new data`,
        { code: 'dataset_immutable' },
      );
    }
    if (dataset.status === 'validating') {
      throw new ConflictError(
        `Dataset ${dataset.id} is being validated; wait until it is ready or invalid`,
        { code: 'validation_in_progress' },
      );
    }
    throw new ConflictError(
      `Dataset ${dataset.id} is ${dataset.status}: it takes no new file; create a new dataset for a corrected file`,
      { code: 'dataset_not_awaiting_upload' },
    );
  }

  private isStale(dataset: Dataset): boolean {
    return !this.running.has(dataset.id) && unixSeconds() - dataset.updated_at > STALE_VALIDATION_S;
  }

  private async save(dataset: Dataset, changes: Partial<Dataset>): Promise<Dataset> {
    const next = { ...dataset, ...changes, updated_at: unixSeconds() };
    await this.storage.putJson(keys.datasetMeta(dataset.id), next);
    return next;
  }

  /**
   * The small-file route: streams the request body to S3, refusing (nothing stored) a body over
   * the cap (413), whether or not it announced its length, and, for a dataset created with
   * `size_bytes`, a body of another length (413 `payload_too_large` when longer, 422
   * `upload_size_mismatch` when shorter, naming both numbers).
   */
  async uploadThroughApi(
    id: string,
    body: ReadableStream<Uint8Array> | null,
    contentLength?: number,
    project?: string,
  ): Promise<Dataset> {
    const { dataset, etag } = await this.getTagged(id, project);
    this.assertAwaitingUpload(dataset);
    const declared = dataset.size_bytes ?? undefined;
    const max =
      declared === undefined
        ? this.options.uploadMaxBytes
        : Math.min(declared, this.options.uploadMaxBytes);
    const tooLarge = (n: number) =>
      declared !== undefined && declared <= this.options.uploadMaxBytes
        ? `The file is ${contentLength ?? `over ${n}`} bytes; dataset ${id} was created with size_bytes ${declared}. PUT exactly ${declared} bytes, or create a new dataset with the file's size`
        : `The file is ${contentLength ?? `over ${n}`} bytes; PUT /v1/datasets/{id}/file takes at most ${this.options.uploadMaxBytes} bytes. ` +
          'Upload larger files to the presigned URL returned by POST /v1/datasets (upload.url, or upload.parts with size_bytes for multipart)';
    const tooShort = (n: number) =>
      new UnprocessableError(
        `The file is ${n} bytes; dataset ${id} was created with size_bytes ${declared}. PUT exactly ${declared} bytes, or create a new dataset with the file's size`,
        { code: 'upload_size_mismatch', param: 'size_bytes' },
      );
    if (contentLength !== undefined && contentLength > max)
      throw new PayloadTooLargeError(tooLarge(contentLength));
    if (declared !== undefined && contentLength !== undefined && contentLength < declared)
      throw tooShort(contentLength);
    if (!body)
      throw new ValidationError(
        'The request has no body; expected the dataset file as the raw body',
        { param: 'body' },
      );
    // S3 writes are atomic (a PUT, or a multipart upload that is aborted on error): a refused
    // body never replaces the file that was there.
    const capped = capBytes(
      max,
      tooLarge,
      declared === undefined ? undefined : { bytes: declared, short: tooShort },
    );
    pipeline(
      Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>),
      capped,
      () => {},
    );
    await this.storage.upload(keys.datasetUpload(id), capped);
    const head = await this.storage.head(keys.datasetUpload(id));
    if (!head) throw notFound(id);
    const next = {
      ...dataset,
      status: 'awaiting_upload' as const,
      report: null,
      file: { bytes: head.size, etag: head.etag ?? null },
      updated_at: unixSeconds(),
    };
    // Only over the record read above: a complete (or delete) in between wins.
    if (await this.storage.putJsonIf(keys.datasetMeta(id), next, etag)) return next;
    this.assertAwaitingUpload((await this.getTagged(id, project)).dataset);
    throw new ConflictError(
      `Dataset ${id}'s file was uploaded again while this upload ran; GET the dataset to see which file it holds, or upload again`,
      { code: 'upload_changed' },
    );
  }

  /**
   * Checks the uploaded file (completing a multipart upload first when `parts` are given) and
   * validates it. Answers once validation ends, or with status `validating` after `waitMs`.
   */
  async complete(
    id: string,
    parts?: Array<{ part_number: number; etag: string }>,
    project?: string,
  ): Promise<Dataset> {
    const { dataset, etag } = await this.getTagged(id, project);
    if (dataset.status === 'ready') return dataset;
    if (dataset.status === 'validating' && !this.isStale(dataset))
      this.assertAwaitingUpload(dataset);
    const raw = keys.datasetRaw(id);
    if (dataset.status !== 'awaiting_upload') {
      // Invalid, or left validating by a process that died: validate the file it took again.
      if (parts) this.assertAwaitingUpload(dataset);
      const head = await this.storage.head(raw);
      if (!head) this.assertAwaitingUpload(dataset);
      return this.startValidation(dataset, head!, etag, project);
    }
    // awaiting_upload → validating happens once: of completes sent together (a double-click,
    // retries), the one whose conditional write lands takes the file; the others get 409
    // `validation_in_progress` (or the outcome, once there is one); a deleted dataset, 404.
    const claimed = { ...dataset, status: 'validating' as const, updated_at: unixSeconds() };
    if (!(await this.storage.putJsonIf(keys.datasetMeta(id), claimed, etag)))
      return this.lostClaim(id, project);
    try {
      return await this.takeUpload(dataset, parts);
    } catch (error) {
      // Refused before the file was taken: the dataset awaits its upload again, unless deleted.
      if (await this.storage.exists(keys.datasetTombstone(id)).catch(() => false)) {
        await this.removeObjects(id).catch(() => {});
        throw notFound(id);
      }
      const now = await this.storage.tryGetJson(keys.datasetMeta(id), datasetRecordSchema);
      if (!now) throw notFound(id);
      if (!(await this.storage.exists(raw)))
        await this.storage.putJson(keys.datasetMeta(id), { ...dataset, updated_at: unixSeconds() });
      throw error;
    }
  }

  /**
   * The answer of a `complete` whose claim lost to another writer: the dataset's outcome when it
   * has one (ready or invalid: the winner's answer), else 409; 404 when it was deleted.
   */
  private async lostClaim(id: string, project?: string): Promise<Dataset> {
    const now = await this.get(id, project);
    if (now.status === 'ready' || now.status === 'invalid') return now;
    if (now.status === 'validating') this.assertAwaitingUpload(now);
    throw new ConflictError(
      `Dataset ${id} changed while complete ran (it is ${now.status} now); call complete again`,
      { code: 'dataset_changed' },
    );
  }

  /** `complete` after its claim: checks the upload, takes it to the file key, validates it. */
  private async takeUpload(
    dataset: Dataset,
    parts: Array<{ part_number: number; etag: string }> | undefined,
  ): Promise<Dataset> {
    const id = dataset.id;
    const raw = keys.datasetRaw(id);
    const upload = keys.datasetUpload(id);
    if (parts) {
      const state = await this.storage.tryGetJson(keys.datasetUploadState(id), uploadStateSchema);
      if (!state) {
        throw new ValidationError(
          'parts were given but this dataset has no multipart upload; omit parts for single PUT uploads',
          {
            param: 'parts',
          },
        );
      }
      try {
        await this.storage.completeMultipartUpload(
          upload,
          state.upload_id,
          parts.map((p) => ({ partNumber: p.part_number, etag: p.etag })),
        );
      } catch (error) {
        throw new ValidationError(
          `The multipart upload could not be completed (${(error as Error).name}); expected each part's number and the ETag S3 returned for it`,
          { param: 'parts', cause: error },
        );
      }
      await this.storage.delete(keys.datasetUploadState(id));
    }
    const head = await this.storage.head(upload);
    if (!head) {
      throw new ConflictError(
        `Dataset ${id} has no file yet: PUT it to upload.url (or /v1/datasets/${id}/file) first, then call complete`,
        { code: 'file_missing' },
      );
    }
    const declared = dataset.size_bytes;
    if (declared != null && head.size !== declared) {
      throw new UnprocessableError(
        `The uploaded file is ${head.size} bytes; the dataset was created with size_bytes ${declared}. PUT a file of ${declared} bytes (the presigned URL is signed for that length), or create a new dataset`,
        { code: 'upload_size_mismatch', param: 'size_bytes' },
      );
    }
    // The file's actual size against the project's room (a declared size was checked at create;
    // an undeclared one is first known here). Refused: the file stays where it was uploaded.
    await this.assertRoom(projectOf(dataset), head.size, id, 'file');
    // The file is validated from a key no upload can reach: a presigned URL handed out earlier
    // can still write the upload key, never the file a validated dataset was checked from. The
    // copy is of the very object looked at (its ETag), not of one PUT in between.
    try {
      await this.storage.copy(upload, raw, {
        ...(head.etag ? { ifMatch: head.etag } : {}),
        size: head.size,
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      throw new ConflictError(
        `The file of dataset ${id} was uploaded again while complete took it; call complete again once the upload has ended`,
        { code: 'upload_changed', cause: error },
      );
    }
    await this.sealUpload(id);
    const taken = await this.storage.head(raw);
    // Deleted while the file was taken: the delete's tombstone says so; nothing comes back.
    if (!taken || (await this.deletedMeanwhile(id))) throw notFound(id);
    return this.startValidation(dataset, taken);
  }

  /** Marks the dataset validating, validates it, and answers within `waitMs`. */
  private async startValidation(
    dataset: Dataset,
    head: { size: number; etag: string | undefined },
    etag?: string,
    project?: string,
  ): Promise<Dataset> {
    const id = dataset.id;
    const changes = {
      status: 'validating' as const,
      report: null,
      file: { bytes: head.size, etag: head.etag ?? null },
    };
    let validating: Dataset;
    if (etag === undefined) validating = await this.save(dataset, changes);
    else {
      // Only over the record read (`etag`): of two completes racing, one validates.
      validating = { ...dataset, ...changes, updated_at: unixSeconds() };
      if (!(await this.storage.putJsonIf(keys.datasetMeta(id), validating, etag)))
        return this.lostClaim(id, project);
    }
    const run = this.validate(validating, head.size);
    this.running.set(id, run);
    run.finally(() => this.running.delete(id)).catch(() => {});
    const waitMs = this.options.waitMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Dataset>((resolve) => {
      timer = setTimeout(() => resolve(validating), waitMs);
    });
    const answer = await Promise.race([run, timeout]).finally(() => clearTimeout(timer));
    // Deleted while it waited: the delete won, and the answer says so (404), not `validating`.
    if (await this.storage.exists(keys.datasetTombstone(id)).catch(() => false)) throw notFound(id);
    return answer;
  }

  private async validate(dataset: Dataset, size: number): Promise<Dataset> {
    try {
      const outcome = await validateDataset(
        this.storage,
        dataset,
        size,
        this.options.limits ?? defaultLimits,
      );
      if (await this.deletedMeanwhile(dataset.id)) return dataset;
      const saved = await this.save(dataset, { status: outcome.status, report: outcome.report });
      // A delete that began between the check and the save removes what the save wrote, as its
      // tombstone is written before it deletes; one that began before is seen here.
      if (await this.deletedMeanwhile(dataset.id)) return dataset;
      return saved;
    } catch (error) {
      if (await this.deletedMeanwhile(dataset.id).catch(() => false)) return dataset;
      this.options.logger.error({ err: error, dataset: dataset.id }, 'dataset validation failed');
      return this.save(dataset, {
        status: 'invalid',
        report: {
          errors: [
            {
              code: 'validation_failed',
              message: `Validation stopped unexpectedly (${(error as Error).message}); call complete again to retry`,
            },
          ],
          warnings: [],
          stats: null,
        },
      });
    }
  }

  /**
   * True when the dataset was deleted while it was being validated: then everything the
   * validation wrote since (shards, the record) is removed again, and nothing comes back.
   */
  /**
   * True once a delete of dataset `id` has begun (its tombstone is written) or its record is gone:
   * job creation asks this after storing its job (see `delete`).
   */
  async isDeleted(id: string): Promise<boolean> {
    const [tombstone, record] = await Promise.all([
      this.storage.exists(keys.datasetTombstone(id)),
      this.storage.exists(keys.datasetMeta(id)),
    ]);
    return tombstone || !record;
  }

  private async deletedMeanwhile(id: string): Promise<boolean> {
    if (!(await this.storage.exists(keys.datasetTombstone(id)))) return false;
    await this.removeObjects(id);
    return true;
  }

  /**
   * Recovery at start: every dataset a crash left `validating` is validated again from the file
   * it took (in the background, one at a time), or, when that file is missing, marked `invalid`
   * with `validation_interrupted`. Call it only where no other process validates (the local
   * platform). Returns the ids found.
   */
  async recoverInterrupted(): Promise<string[]> {
    const found: Dataset[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.list(100, after);
      found.push(...page.data.filter((d) => d.status === 'validating' && !this.running.has(d.id)));
      if (!page.has_more || !page.last_id) break;
      after = page.last_id;
    }
    const recovering = (async () => {
      for (const dataset of found) {
        try {
          const head = await this.storage.head(keys.datasetRaw(dataset.id));
          if (!head) {
            await this.save(dataset, {
              status: 'invalid',
              report: {
                errors: [
                  {
                    code: 'validation_interrupted',
                    message:
                      'Validation was interrupted (the platform stopped) and the file it took is gone; create the dataset again',
                  },
                ],
                warnings: [],
                stats: null,
              },
            });
            continue;
          }
          this.options.logger.info({ dataset: dataset.id }, 'validating again after a crash');
          const fresh = await this.save(dataset, { status: 'validating' });
          const run = this.validate(fresh, head.size);
          this.running.set(dataset.id, run);
          await run.finally(() => this.running.delete(dataset.id));
        } catch (error) {
          this.options.logger.error({ err: error, dataset: dataset.id }, 'recovery failed');
        }
      }
    })();
    this.recovering = recovering;
    return found.map((d) => d.id);
  }

  /** Resolves once the validations `recoverInterrupted` started have ended. */
  async recovered(): Promise<void> {
    await this.recovering;
  }

  /** Resolves when a validation started by this process ends (tests, graceful shutdown). */
  async settled(id: string): Promise<void> {
    await this.running.get(id);
  }

  /**
   * Removes every object of the dataset (with `project`: only one of that project, else 404).
   * Throws `ConflictError` (409 `dataset_in_use`, naming the jobs) while unfinished jobs use it.
   */
  async delete(
    id: string,
    project?: string,
  ): Promise<{ id: string; object: 'dataset'; deleted: true }> {
    const dataset = await this.get(id, project);
    // The tombstone before the look for jobs, as job creation stores its job before it looks for
    // the tombstone (`isDeleted`): of a delete and a job creation racing, at least one sees the
    // other, so a job is never accepted for a dataset that is then deleted under it.
    await this.storage.putJson(keys.datasetTombstone(id), { id, deleted_at: unixSeconds() });
    const jobs = (await this.options.jobsUsing?.(id, projectOf(dataset))) ?? [];
    if (jobs.length) {
      await this.storage.delete(keys.datasetTombstone(id));
      throw new ConflictError(
        `Dataset ${id} is used by ${jobs.length === 1 ? 'job' : 'jobs'} ${jobs.join(', ')}, not finished yet; cancel ${jobs.length === 1 ? 'it' : 'them'} (POST /v1/fine-tuning/jobs/{id}/cancel) or wait until ${jobs.length === 1 ? 'it ends' : 'they end'}, then delete the dataset`,
        { code: 'dataset_in_use', param: 'id' },
      );
    }
    const state = await this.storage.tryGetJson(keys.datasetUploadState(id), uploadStateSchema);
    if (state)
      await this.storage
        .abortMultipartUpload(keys.datasetUpload(id), state.upload_id)
        .catch(() => {});
    // The tombstone is written first (above): a validation running anywhere sees it before or
    // after its last write.
    await this.removeObjects(id);
    return { id, object: 'dataset', deleted: true };
  }

  /** Deletes every object of a deleted dataset, then seals its upload key (`sealUpload`). */
  private async removeObjects(id: string): Promise<void> {
    await this.storage.deletePrefix(keys.dataset(id));
    await this.sealUpload(id);
  }

  /**
   * Writes an empty object at the upload key: the presigned PUT is signed with
   * `If-None-Match: *`, so the store refuses it from now on (412), and a URL handed out earlier can
   * no longer write anything once the dataset has left `awaiting_upload` or is deleted. The seal
   * holds no bytes; it is the only object a deleted dataset leaves under its prefix.
   */
  private async sealUpload(id: string): Promise<void> {
    await this.storage.putBytes(keys.datasetUpload(id), new Uint8Array(0));
  }
}
