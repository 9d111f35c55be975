import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('leaves out a folder without its record but pages past it', async () => {
    const prefix = prefixes.models;
    const [a, b, c] = [newId('model'), newId('model'), newId('model')].sort();
    await storage.putJson(keys.modelManifest(a!), { id: a });
    await storage.putBytes(keys.modelFile(b!, 'model.json'), '{}'); // cut short: no manifest
    await storage.putJson(keys.modelManifest(c!), { id: c });
    const read = async (id: string) =>
      (await storage.exists(keys.modelManifest(id))) ? id : undefined;
    const args = { isId: (n: string) => isId('model', n), folder: keys.model, read };

    const first = await listRecordPage(storage, prefix, { limit: 2, ...args });
    expect(first).toEqual({ data: [a], has_more: true, last_id: b });
    const rest = await listRecordPage(storage, prefix, { limit: 2, after: b, ...args });
    expect(rest).toEqual({ data: [c], has_more: false, last_id: c });
  });
});
