import { InternalError } from '../errors';
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
 * never appear, never shorten a page and are never named as `last_id`. Throws `StorageError` when
 * S3 fails.
 */
export function projectPage<T>(options: ProjectPageOptions<T>): Promise<ProjectPage<T>> {
  const { storage, prefix, kind, project, limit, after, read } = options;
  const folder = FOLDER[kind];
  if (!folder) throw new InternalError(`no folder for ${kind}_ ids`);
  return listRecordPage<T & { project?: string | null }>(storage, prefix, {
    limit,
    after,
    isId: (id) => isId(kind, id),
    folder,
    read,
    keep: (record) => inProject(record, project),
  });
}
