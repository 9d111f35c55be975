import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isId, newId } from '../ids';
import { keys, prefixes } from './keys';
import { listFolderIds, listRecordPage } from './list-records';
import type { Storage } from './storage';

// Runs against the real S3 endpoint of the test run (embedded, or S3_ENDPOINT): never a mock.
let storage: Storage;
let dispose: () => Promise<void>;
beforeAll(async () => {
  const runtime = await isolatedRuntime('ty-list-records');
  storage = runtime.storage;
  dispose = runtime.dispose;
});
afterAll(() => dispose());

const datasets = { isId: (name: string) => isId('ds', name), folder: keys.dataset };

describe('listing records one folder each', () => {
  it('pages through every id once, past objects and folders that are not ids', async () => {
    const ids = Array.from({ length: 7 }, () => newId('ds')).sort();
    for (const id of ids) await storage.putJson(keys.datasetMeta(id), { id });
    // Not datasets: a tombstone beside the folders and a folder that is not an id.
    await storage.putJson(keys.datasetTombstone(ids[1]!), { id: ids[1] });
    await storage.putBytes(`${prefixes.datasets}zz-not-an-id/x`, 'x');

    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await listFolderIds(storage, prefixes.datasets, {
        limit: 3,
        after,
        ...datasets,
      });
      seen.push(...page.ids);
      expect(page.ids.length).toBe(page.hasMore ? 3 : ids.length % 3);
      if (!page.hasMore) break;
      after = page.ids.at(-1);
    }
    expect(seen).toEqual(ids);
  });

  it('leaves out a folder without its record, pages past it, and keeps the page full', async () => {
    const prefix = prefixes.models;
    const [a, b, c] = [newId('model'), newId('model'), newId('model')].sort();
    await storage.putJson(keys.modelManifest(a!), { id: a });
    await storage.putBytes(keys.modelFile(b!, 'model.json'), '{}'); // cut short: no manifest
    await storage.putJson(keys.modelManifest(c!), { id: c });
    const read = async (id: string) =>
      (await storage.exists(keys.modelManifest(id))) ? id : undefined;
    const args = { isId: (n: string) => isId('model', n), folder: keys.model, read };

    const full = await listRecordPage(storage, prefix, { limit: 2, ...args });
    expect(full).toEqual({ data: [a, c], has_more: false, last_id: c });
    const first = await listRecordPage(storage, prefix, { limit: 1, ...args });
    expect(first).toEqual({ data: [a], has_more: true, last_id: a });
    const rest = await listRecordPage(storage, prefix, { limit: 1, after: a, ...args });
    expect(rest).toEqual({ data: [c], has_more: false, last_id: c });
  });

  it('leaves out what `keep` refuses, never names it as last_id, and fills the page past it', async () => {
    const prefix = prefixes.models;
    const ids = Array.from({ length: 6 }, () => newId('model')).sort();
    for (const [i, id] of ids.entries()) {
      await storage.putJson(keys.modelManifest(id), { id, project: i % 3 === 0 ? 'a' : 'b' });
    }
    const owned = z.object({ id: z.string(), project: z.string().optional() });
    // The other test's records (no project) are refused; its record-less folder is paged past.
    const read = (id: string) => storage.tryGetJson(keys.modelManifest(id), owned);
    const args = { isId: (n: string) => isId('model', n), folder: keys.model, read };
    const keep = (r: { project?: string }) => r.project === 'a';
    const page = await listRecordPage(storage, prefix, { limit: 2, keep, ...args });
    expect(page).toEqual({
      data: [ids[0], ids[3]].map((id) => ({ id, project: 'a' })),
      has_more: true,
      last_id: ids[3],
    });
    const rest = await listRecordPage(storage, prefix, { limit: 2, after: ids[3], keep, ...args });
    expect(rest).toEqual({ data: [], has_more: false, last_id: null });
  });
});
