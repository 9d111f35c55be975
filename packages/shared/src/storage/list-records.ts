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
 * One page of records kept one per folder under `prefix` (`listFolderIds`), each read by `read`;
 * a folder whose record is missing (a write cut short) is left out of `data` but paged past.
 */
export async function listRecordPage<T>(
  storage: Storage,
  prefix: string,
  args: FolderIdsArgs & { readonly read: (id: string) => Promise<T | undefined> },
): Promise<RecordPage<T>> {
  const { ids, hasMore } = await listFolderIds(storage, prefix, args);
  const records = await Promise.all(ids.map(args.read));
  return {
    data: records.filter((r): r is Awaited<T> => r !== undefined) as T[],
    has_more: hasMore,
    last_id: ids.at(-1) ?? null,
  };
}
