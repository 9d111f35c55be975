import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { body, type TestApi } from './api';

/** A report issue as the API returns it. */
export type Issue = { code: string; message: string; where?: string };

/** The bytes of `test/fixtures/realworld/<path>` (the cases handed in shared/realworld). */
export const realworldFixture = (path: string): Buffer =>
  readFileSync(new URL(`../fixtures/realworld/${path}`, import.meta.url));

/**
 * Creates a dataset from `spec` (`POST /v1/datasets`), uploads `file` through the API and
 * validates it (`complete`); asserts each step's status and returns the dataset as the API
 * answers `complete` (loosely typed for assertions).
 */
export async function submitDataset(
  api: TestApi,
  spec: object,
  file: Uint8Array | string,
): ReturnType<typeof body> {
  const created = await api.call('/v1/datasets', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  expect(created.status).toBe(201);
  const { id } = await body(created);
  const put = await api.call(`/v1/datasets/${id}/file`, { method: 'PUT', body: file });
  expect(put.status).toBe(200);
  const done = await api.call(`/v1/datasets/${id}/complete`, { method: 'POST' });
  expect(done.status).toBe(200);
  return body(done);
}
