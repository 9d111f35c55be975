import { createLogger } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';
import { createOpenApiApp } from '../openapi-app';
import { LatencyLanes } from './latency-lanes';
import { processLoopDelay } from './loop-delay';

const BUDGET_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An app whose `POST /m/:id` runs in lane `:id`: 20 ms of work, or until `gate` opens. Its
 * lanes take their loop delay from `delay.ms`.
 */
function laneApp() {
  const delay = { ms: 0 };
  const lanes = new LatencyLanes(BUDGET_MS, 'TEST_BUDGET_MS', {
    loopDelay: { current: () => delay.ms },
  });
  let open: () => void = () => {};
  let gate: Promise<void> | undefined;
  const app = createOpenApiApp(createLogger('test', 'silent'), undefined, {
    laneOf: (c) => /^\/m\/([^/]+)$/.exec(c.req.path)?.[1],
    lanes,
  });
  app.post('/m/:id', async (c) => {
    await lanes.run(c.req.param('id'), () => gate ?? sleep(20));
    return c.json({ ok: true });
  });
  return {
    delay,
    close() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    open: () => {
      open();
      gate = undefined;
    },
    post: (id: string) => app.request(`/m/${id}`, { method: 'POST' }),
  };
}

/** Enough answered requests for the lane to have measured its pace (20 ms each, one at a time). */
async function measure(app: ReturnType<typeof laneApp>, id: string) {
  for (let i = 0; i < 8; i++) expect((await app.post(id)).status).toBe(200);
}

describe('admission by queue depth, with the event loop’s delay', () => {
  it('admits ten at once when the loop keeps up, or runs behind by less than the budget', async () => {
    const app = laneApp();
    await measure(app, 'a');
    app.delay.ms = 900;
    app.close();
    const pending = Array.from({ length: 10 }, () => app.post('a'));
    await sleep(50);
    app.open();
    const answers = await Promise.all(pending);
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
  });

  it('refuses with 503 overloaded and Retry-After past one request while the loop runs a budget behind', async () => {
    const app = laneApp();
    await measure(app, 'b');
    app.delay.ms = 1200; // past the 1000 ms budget: one request at a time
    app.close();
    const pending = Array.from({ length: 10 }, () => app.post('b'));
    const refused = (await Promise.all(pending.slice(1))).filter((r) => r.status === 503);
    expect(refused).toHaveLength(9);
    for (const res of refused) {
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('overloaded');
      expect(error.message).toContain('the event loop runs 1200 ms behind');
      expect(error.message).toContain('within 1000 ms (TEST_BUDGET_MS)');
    }
    app.open();
    expect((await pending[0]!).status).toBe(200);
    // Another model's lane has measured nothing yet: it admits.
    expect((await app.post('c')).status).toBe(200);
    // Once the loop keeps up again, the lane admits as before.
    app.delay.ms = 0;
    app.close();
    const again = Array.from({ length: 10 }, () => app.post('b'));
    await sleep(50);
    app.open();
    expect((await Promise.all(again)).map((r) => r.status)).toEqual(Array(10).fill(200));
  });
});

describe('processLoopDelay', () => {
  it('reports a loop kept busy for 60 ms as at least 45 ms behind', async () => {
    const delay = processLoopDelay();
    await sleep(20);
    const started = performance.now();
    while (performance.now() - started < 60) {
      // busy: no timer can run
    }
    expect(delay.current()).toBeGreaterThanOrEqual(45);
  });
});

describe('LatencyLanes.batch', () => {
  it('answers the items queued together in one call, each caller its own answer, up to max', async () => {
    const lanes = new LatencyLanes(BUDGET_MS, 'TEST_BUDGET_MS');
    const calls: number[][] = [];
    const spec = (max: number) => ({
      key: 'double',
      max,
      run: (items: number[]) => {
        calls.push(items);
        return items.map((x) => x * 2);
      },
    });
    // Seven requests admitted and queued in one turn of the event loop: batches of at most
    // three, in order.
    const admitted = Array.from({ length: 7 }, () => lanes.admit('m'));
    const answers = await Promise.all(
      Array.from({ length: 7 }, (_, i) => lanes.batch('m', i, spec(3))),
    );
    for (const release of admitted) release();
    expect(answers).toEqual([0, 2, 4, 6, 8, 10, 12]);
    expect(calls).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    // With max 1 each runs alone, at once.
    calls.length = 0;
    expect(await Promise.all([lanes.batch('m', 1, spec(1)), lanes.batch('m', 2, spec(1))])).toEqual(
      [2, 4],
    );
    expect(calls).toEqual([[1], [2]]);
  });

  it('never mixes keys or lanes, and fails only the callers of a batch that fails', async () => {
    const lanes = new LatencyLanes(BUDGET_MS, 'TEST_BUDGET_MS');
    const calls: string[] = [];
    const spec = (key: string) => ({
      key,
      max: 16,
      run: (items: string[]) => {
        calls.push(`${key}:${items.join(',')}`);
        if (key === 'bad') throw new Error('model failed');
        return items.map((x) => `${key}(${x})`);
      },
    });
    const admitted = [...'mmmm', 'other'].map((lane) => lanes.admit(lane));
    admitted.push(lanes.admit('other'));
    const results = await Promise.allSettled([
      lanes.batch('m', 'a', spec('k1')),
      lanes.batch('m', 'b', spec('k2')),
      lanes.batch('m', 'c', spec('k1')),
      lanes.batch('other', 'd', spec('k1')),
      lanes.batch('m', 'e', spec('bad')),
    ]);
    for (const release of admitted) release();
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'))).toEqual([
      'k1(a)',
      'k2(b)',
      'k1(c)',
      'k1(d)',
      'rejected',
    ]);
    expect(calls.sort()).toEqual(['bad:e', 'k1:a,c', 'k1:d', 'k2:b']);
  });
});
