import type { Storage } from './storage';

/** Which folders of a resource prefix to page through, and where the previous page ended. */
export interface FolderIdsArgs {
  /** Most ids on the page (≥ 1). */
  readonly limit: number;
  /** The last id of the previous page; none: from the start. */
  readonly after?: string | undefined;
  /** Whether a folder's name is one of this resource's ids (others are skipped, and not counted). */
  readonly isId: (name: string) => boolean;
  /** The folder of an id (`keys.job`, `keys.dataset`, …): where the page starts after `after`. */
  readonly folder: (id: string) => string;
}

/** A page of records in the API's list shape. */
export interface RecordPage<T> {
  readonly data: T[];
  readonly has_more: boolean;
  /** The last id the page went past (a folder without a record included); null: none. */
  readonly last_id: string | null;
}

/**
 * One page of the resource ids under `prefix` (one folder `<prefix><id>/` each), in key order,
 * which is creation order for generated ids. Lists on until the page is full or the prefix is
 * exhausted, so a page is short only at the end; `hasMore` says whether an id follows it. Servers
 * that do not count folders against `MaxKeys` (and objects beside the folders, which do count on
 * others) change how many requests it takes, not the page. Throws `StorageError` when S3 fails.
 */
export async function listFolderIds(
  storage: Storage,
  prefix: string,
  { limit, after, isId, folder }: FolderIdsArgs,
): Promise<{ ids: string[]; hasMore: boolean }> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await storage.listPage(prefix, {
      delimiter: '/',
      limit: limit + 1 - ids.length,
      // `~` sorts after every character of an id's keys: the page starts past the whole folder.
      ...(token ? { token } : after ? { startAfter: `${folder(after)}~` } : {}),
    });
    for (const p of page.prefixes) {
      const id = p.slice(prefix.length, -1);
      if (isId(id)) ids.push(id);
    }
    if (page.nextToken === token) break;
    token = page.nextToken;
  } while (token !== undefined && ids.length <= limit);
  return { ids: ids.slice(0, limit), hasMore: ids.length > limit };
}

/**
 * One page of records kept one per folder under `prefix` (`listFolderIds`), each read by `read`.
 * A folder whose record is missing (a write cut short) is left out of `data` but paged past; a
 * record `keep` refuses (another project's, say) is left out and never named as `last_id`, and
 * the listing goes on until the page is full or the prefix is exhausted, so refused records never
 * shorten a page. `has_more` is true while folders are left (the next page may then be empty).
 */
export async function listRecordPage<T>(
  storage: Storage,
  prefix: string,
  args: FolderIdsArgs & {
    readonly read: (id: string) => Promise<T | undefined>;
    /** Whether a record belongs on the page. Default: every record. */
    readonly keep?: (record: T) => boolean;
  },
): Promise<RecordPage<T>> {
  const { limit, read, keep } = args;
  const data: T[] = [];
  let after = args.after;
  let lastId: string | null = null;
  for (;;) {
    // With a filter, folders are listed in batches of at least 50: records it refuses would
    // otherwise cost one request each.
    const want = keep ? Math.max(limit - data.length, 50) : limit - data.length;
    const { ids, hasMore } = await listFolderIds(storage, prefix, { ...args, limit: want, after });
    const records = await Promise.all(ids.map(read));
    for (let i = 0; i < ids.length; i++) {
      const record = records[i];
      if (record !== undefined && keep && !keep(record)) continue;
      lastId = ids[i]!;
      if (record === undefined) continue;
      data.push(record);
      if (data.length === limit) {
        return { data, has_more: i < ids.length - 1 || hasMore, last_id: lastId };
      }
    }
    if (!hasMore || ids.length === 0) return { data, has_more: false, last_id: lastId };
    after = ids.at(-1);
  }
}
