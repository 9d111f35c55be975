import { iris, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, createIrisDataset, startTestApi, type TestApi } from '../support/api';

// complete sent several times at once (a double-click, a retrying client) or racing a DELETE:
// the dataset goes from awaiting_upload to validating once; the others get 409 or the outcome,
// a deleted dataset 404, and never a 500.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const { header, rows } = iris();
const csv = toCsv(header, rows);

async function uploaded(): Promise<string> {
  const { id } = await createIrisDataset(api.call);
  expect((await api.call(`/v1/datasets/${id}/file`, { method: 'PUT', body: csv })).status).toBe(
    200,
  );
  return id;
}

describe('complete, concurrently', () => {
  it('ten at once: one validates, the others answer 409 validation_in_progress or the outcome', async () => {
    for (let round = 0; round < 3; round++) {
      const id = await uploaded();
      const answers = await Promise.all(
        Array.from({ length: 10 }, () =>
          api.call(`/v1/datasets/${id}/complete`, { method: 'POST' }),
        ),
      );
      const statuses = answers.map((r) => r.status);
      const bodies = await Promise.all(answers.map((r) => body(r)));
      expect(bodies.filter((_, i) => statuses[i] === 500)).toEqual([]);
      const ok = bodies.filter((_, i) => statuses[i] === 200);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      for (const b of ok) expect(b).toMatchObject({ id, status: 'ready' });
      for (const [i, b] of bodies.entries()) {
        if (statuses[i] !== 200) {
          expect(statuses[i]).toBe(409);
          expect(b.error.code).toBe('validation_in_progress');
        }
      }
      // Validated once: one row count, the dataset ready.
      expect(await body(await api.call(`/v1/datasets/${id}`))).toMatchObject({
        status: 'ready',
        report: { stats: { examples: rows.length } },
      });
    }
  });

  it('racing a DELETE: 404 or the outcome, never 500, and the dataset stays deleted', async () => {
    for (let i = 0; i < 6; i++) {
      const id = await uploaded();
      const [done, deleted] = await Promise.all([
        api.call(`/v1/datasets/${id}/complete`, { method: 'POST' }),
        api.call(`/v1/datasets/${id}`, { method: 'DELETE' }),
      ]);
      expect([200, 404, 409]).toContain(done.status);
      if (done.status !== 200) expect((await body(done)).error.code).not.toBe('internal_error');
      expect([200, 404]).toContain(deleted.status);
      if (deleted.status === 200) {
        await new Promise((r) => setTimeout(r, 200));
        expect((await api.call(`/v1/datasets/${id}`)).status).toBe(404);
      }
    }
  });
});
