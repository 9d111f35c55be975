import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Storage } from '../storage';
import { projectPage } from './project-page';

let storage: Storage;
let dispose: () => Promise<void>;
beforeAll(async () => {
  const runtime = await isolatedRuntime('ty-ppage');
  storage = runtime.storage;
  dispose = runtime.dispose;
  // Interleaved: a1 b1 a2 b2 b3 a3 legacy (no project: the default project's), and a folder
  // without a record (skipped).
  const owners = ['a', 'b', 'a', 'b', 'b', 'a', undefined];
  for (const [i, project] of owners.entries()) {
    const id = `ds_${String(i).padStart(4, '0')}`;
    await storage.putJson(`datasets/${id}/dataset.json`, { id, ...(project ? { project } : {}) });
  }
  await storage.putBytes('datasets/ds_0100/incoming/file', 'x');
});
afterAll(() => dispose());

const recordSchema = z.object({ id: z.string(), project: z.string().optional() });
const page = (project: string, limit: number, after?: string) =>
  projectPage({
    storage,
    prefix: 'datasets/',
    kind: 'ds',
    project,
    limit,
    after,
    read: (id) => storage.tryGetJson(`datasets/${id}/dataset.json`, recordSchema),
  });

describe('projectPage', () => {
  it("fills each page with the project's objects only, other projects' in between or not", async () => {
    const first = await page('a', 2);
    expect(first.data.map((d) => d.id)).toEqual(['ds_0000', 'ds_0002']);
    expect(first).toMatchObject({ has_more: true, last_id: 'ds_0002' });
    const second = await page('a', 2, first.last_id!);
    expect(second.data.map((d) => d.id)).toEqual(['ds_0005']);
    expect(second.has_more).toBe(false);
    expect((await page('b', 10)).data.map((d) => d.id)).toEqual(['ds_0001', 'ds_0003', 'ds_0004']);
    // A record without a project is the default project's.
    expect((await page('default', 10)).data.map((d) => d.id)).toEqual(['ds_0006']);
    expect(await page('c', 10)).toEqual({ data: [], has_more: false, last_id: null });
  });
});
