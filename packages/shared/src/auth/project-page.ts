import { InternalError, ValidationError } from '../errors';
import type { IdPrefix } from '../ids';
import { isId } from '../ids';
import { keys, listRecordPage, type Storage } from '../storage';
import { inProject } from './projects';
/** A page of a list endpoint: `data`, whether more follow, and the cursor for the next page. */
export interface ProjectPage<T> {
  readonly data: T[];
  readonly has_more: boolean;
  readonly last_id: string | null;
}

export interface ProjectPageOptions<T> {
  readonly storage: Storage;
  /** The resource's prefix (`datasets/`): one folder per object, `<prefix><id>/`. */
  readonly prefix: string;
  /** The id type of the folders; other names under the prefix are skipped. */
  readonly kind: IdPrefix;
  readonly project: string;
  /** Objects per page, 1 or more. */
  readonly limit: number;
  /** The `last_id` of the previous page (an id of this type, checked by the route). */
  readonly after?: string | undefined;
  /** The object's record, or undefined when it has none (a write cut short: skipped). */
  readonly read: (id: string) => Promise<(T & { project?: string | null }) | undefined>;
}

/** The folder of each listed resource's ids. */
const FOLDER: Partial<Record<IdPrefix, (id: string) => string>> = {
  ds: keys.dataset,
  ftjob: keys.job,
  model: keys.model,
  bm: keys.baseModel,
};

/**
 * One page of a project's objects, oldest first (ids sort by creation time): `listRecordPage`
 * over the folders under `prefix`, keeping the records of `project`, so another project's objects
 * never appear, never shorten a page and are never named as `last_id`. Throws `ValidationError`
 * (400 `invalid_cursor`, `query.after`) when `after` names no object of the project, and
 * `StorageError` when S3 fails.
 */
export async function projectPage<T>(options: ProjectPageOptions<T>): Promise<ProjectPage<T>> {
  const { storage, prefix, kind, project, limit, after, read } = options;
  const folder = FOLDER[kind];
  if (!folder) throw new InternalError(`no folder for ${kind}_ ids`);
  // The cursor's check (one GET of its record) runs beside the listing, not before it: a paged
  // request waits for one S3 round trip more only when the cursor is refused.
  const [page] = await Promise.all([
    listRecordPage<T & { project?: string | null }>(storage, prefix, {
      limit,
      after,
      isId: (id) => isId(kind, id),
      folder,
      read,
      keep: (record) => inProject(record, project),
    }),
    after === undefined ? undefined : checkCursor(options, folder, after),
  ]);
  return page;
}

/**
 * `after` must be an id a page of this project could have named as `last_id`: an object of the
 * project, or a folder without a record (a write cut short, which pages go past). An id of
 * nothing, or of another project's object, would silently give an empty page.
 */
async function checkCursor<T>(
  options: ProjectPageOptions<T>,
  folder: (id: string) => string,
  after: string,
): Promise<void> {
  const record = await options.read(after);
  const known =
    record !== undefined
      ? inProject(record, options.project)
      : (await options.storage.listPage(folder(after), { limit: 1 })).objects.length > 0;
  if (known) return;
  throw new ValidationError(
    `after: received ${JSON.stringify(after)}, which names no ${options.kind}_ object of this project; expected the last_id of a previous page (or no after, to start from the first)`,
    { param: 'query.after', code: 'invalid_cursor' },
  );
}
