import { type IdPrefix, isId } from '../ids';
import type { Storage } from '../storage';
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

/**
 * One page of a project's objects, oldest first (ids sort by creation time): scans the folders
 * under `prefix` after `after`, reads each record, and keeps those of `project` until `limit`
 * are found, so another project's objects never appear and never shorten a page. `last_id` is
 * the last id kept; `has_more` is true while folders are left to scan (the next page may then be
 * empty).
 */
export async function projectPage<T>(options: ProjectPageOptions<T>): Promise<ProjectPage<T>> {
  const { storage, prefix, kind, project, limit, read } = options;
  const data: T[] = [];
  let startAfter = options.after ? `${prefix}${options.after}/~` : undefined;
  const batch = Math.min(Math.max(limit, 50), 1000);
  for (;;) {
    const page = await storage.listPage(prefix, {
      delimiter: '/',
      limit: batch,
      ...(startAfter ? { startAfter } : {}),
    });
    const ids = page.prefixes
      .slice(0, batch)
      .map((p) => p.slice(prefix.length, -1))
      .filter((id) => isId(kind, id));
    const records = await Promise.all(ids.map(read));
    for (let i = 0; i < ids.length; i++) {
      const record = records[i];
      if (!record || !inProject(record, project)) continue;
      data.push(record);
      if (data.length === limit) {
        const more = i < ids.length - 1 || page.prefixes.length > batch || !!page.nextToken;
        return { data, has_more: more, last_id: ids[i]! };
      }
    }
    const last = page.prefixes.slice(0, batch).at(-1);
    if (!last || (page.prefixes.length <= batch && !page.nextToken)) {
      return { data, has_more: false, last_id: data.length ? idOf(data.at(-1)) : null };
    }
    startAfter = `${last}~`;
  }
}

function idOf(record: unknown): string | null {
  return (record as { id?: string }).id ?? null;
}
