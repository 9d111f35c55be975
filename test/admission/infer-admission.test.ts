import type { Runtime } from '@trainyard/shared';
import { iris, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type InferServer,
  isolatedRuntime,
  json,
  readyDataset,
  startInfer,
  type TestRuntime,
  trainModel,
} from '../infer/support';

// Admission of predictions by queue depth per model (a real iris model, real HTTP): past what the
// model's queue serves within INFER_LATENCY_BUDGET_MS, 503 `overloaded` with Retry-After.

let runtime: TestRuntime;
let modelId: string;
const { header, rows } = iris();
const row = Object.fromEntries(header.slice(0, 4).map((k, i) => [k, Number(rows[0]![i])]));

beforeAll(async () => {
  runtime = await isolatedRuntime('ty-admit');
  const data = await readyDataset(
    runtime,
    { name: 'iris', task: 'tabular_classification', format: 'csv', label_column: 'species' },
    toCsv(header, rows),
  );
  ({ modelId } = await trainModel(runtime, data, { hyperparameters: { epochs: 2 } }));
}, 120_000);
afterAll(() => runtime.dispose());

/** The inference function with its admission settings replaced. */
function withAdmission(
  infer: Partial<Runtime['config']['admission']['infer']>,
): Promise<InferServer> {
  const { config } = runtime;
  const admission = { ...config.admission, infer: { ...config.admission.infer, ...infer } };
  return startInfer({ ...runtime, config: { ...config, admission } });
}

/** The process-wide refusal (`ProcessAdmission`) under a budget of 1 ms. */
const PROCESS_FULL =
  'This server holds all the requests it can answer within 1 ms (INFER_LATENCY_BUDGET_MS); retry after the Retry-After seconds';

async function burst(served: InferServer, n: number) {
  // Enough sequential requests first for the lane to have measured its service time.
  for (let i = 0; i < 10; i++) {
    expect((await served.predictJson(modelId, { inputs: [row] })).status).toBe(200);
  }
  return Promise.all(
    Array.from({ length: n }, () => served.predictJson(modelId, { inputs: [row] })),
  );
}

describe('inference admission by queue depth', () => {
  it('sheds a burst past the latency budget with 503 overloaded and Retry-After; serves the rest', async () => {
    const served = await withAdmission({ latencyBudgetMs: 1 });
    try {
      // A burst queues only if it arrives faster than one-row predictions are served, which an
      // idle machine may manage once: up to five bursts, until one is shed in part.
      let answers: Response[] = [];
      let strangers: Response[] = [];
      const stranger = (authorization?: string) =>
        fetch(`${served.url}/v1/models/${modelId}/predict`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(authorization ? { authorization } : {}),
          },
          body: JSON.stringify({ inputs: [row] }),
        });
      for (let attempt = 0; attempt < 5; attempt++) {
        // Callers without a valid key arrive in the middle of the burst.
        const during = burst(served, 200);
        strangers = await Promise.all([stranger(), stranger('Bearer ty_wrong_key')]);
        answers = await during;
        if (answers.some((r) => r.status === 503)) break;
      }
      // Whether the model is busy is told only to callers who may predict: the others get 401,
      // or, while the whole process is full, the refusal every request gets before it is read
      // (the same bytes for any model and any key: it names no model).
      for (const res of strangers) {
        expect([401, 503]).toContain(res.status);
        const { error } = await json(res);
        if (res.status === 503) expect(error.message).toBe(PROCESS_FULL);
        expect(error.message).not.toContain(modelId);
      }
      const statuses = answers.map((r) => r.status);
      expect(new Set(statuses)).toEqual(new Set([200, 503]));
      const shed = answers.filter((r) => r.status === 503);
      for (const res of shed) {
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        const { error } = await json(res);
        expect(error.code).toBe('overloaded');
        // Refused by the process before the request was read (it holds what it answers within
        // the budget), at the model's queue (full), or at its turn (it came past the budget).
        if (error.message !== PROCESS_FULL) {
          expect(error.message).toMatch(new RegExp(`requests? for ${modelId} (are queued|waited)`));
          expect(error.message).toContain('within 1 ms (INFER_LATENCY_BUDGET_MS)');
        }
      }
      for (const res of answers.filter((r) => r.status === 200)) {
        expect((await json(res)).predictions).toHaveLength(1);
      }
      console.log(
        `budget 1 ms, 200 at once: ${answers.length - shed.length} served, ${shed.length} shed`,
      );
      // Once the burst has passed, the model serves again.
      expect((await served.predictJson(modelId, { inputs: [row] })).status).toBe(200);
    } finally {
      await served.close();
    }
  }, 60_000);

  it('with the default budget, a burst of 200 at once is served whole, with the RateLimit headers', async () => {
    const served = await withAdmission({});
    try {
      const answers = await burst(served, 200);
      expect(answers.map((r) => r.status)).toEqual(Array(200).fill(200));
      expect(answers[0]!.headers.get('ratelimit-limit')).toBe('600000');
      expect(answers[0]!.headers.get('ratelimit-policy')).toBe('600000;w=60');
    } finally {
      await served.close();
    }
  }, 60_000);

  it('limits requests in progress per key (429 concurrency_limited)', async () => {
    const served = await withAdmission({ maxConcurrent: 1, latencyBudgetMs: 60_000 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => served.predictJson(modelId, { inputs: [row] })),
      );
      const limited = answers.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(answers.every((r) => r.status === 200 || r.status === 429)).toBe(true);
      expect(limited[0]!.headers.get('retry-after')).toBe('1');
      expect((await json(limited[0]!)).error.code).toBe('concurrency_limited');
    } finally {
      await served.close();
    }
  }, 60_000);
});
