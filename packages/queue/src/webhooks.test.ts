import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  eventsOfType,
  JobEventLog,
  JobStore,
  jobSucceeded,
  modelIdForJob,
  OutboundGuard,
  type Runtime,
  verifyWebhook,
} from '@trainyard/shared';
import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTestJob } from './testing';
import { WebhookNotifier } from './webhooks';

// A real HTTP receiver on loopback checks each delivery's signature as a user's server would.

const SECRET = 'whsec_test_0123456789abcdef';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

let runtime: Runtime & { dispose(): Promise<void> };
let store: JobStore;
let server: Server;
let url: string;
const received: Received[] = [];
/** Status codes the receiver answers with, in turn; then 200. */
let answers: number[] = [];

beforeAll(async () => {
  runtime = await isolatedRuntime('ty-hooks');
  store = new JobStore(runtime.storage, new JobEventLog(runtime.storage, 'test'));
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body, at: Date.now() });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await runtime.dispose();
});

function notifier(attempts = 4) {
  return new WebhookNotifier({
    store,
    log: new JobEventLog(runtime.storage, 'webhooks'),
    logger: runtime.logger,
    attempts,
    baseDelayMs: 100,
    // The receiver is on loopback, which only an allow-list entry lets a webhook reach.
    outbound: new OutboundGuard({ allow: ['127.0.0.1'] }),
  });
}

async function finishedJob(hookUrl: string, events?: Array<'succeeded' | 'failed' | 'cancelled'>) {
  const spec = await storeTestJob(
    store,
    { webhook: { url: hookUrl, events: events ?? ['succeeded', 'failed', 'cancelled'] } },
    SECRET,
  );
  await store.log.append(spec.id, jobSucceeded(modelIdForJob(spec.id), 'done'));
  return spec.id;
}

const hookEvents = async (id: string) =>
  eventsOfType(await store.log.list(id), 'webhook.delivered', 'webhook.failed');

describe('webhooks', () => {
  it('POSTs the ended job, signed; retries 5xx with exponential backoff; records every try', async () => {
    received.length = 0;
    answers = [500, 503];
    const id = await finishedJob(url);
    await notifier().notify(id);

    expect(received).toHaveLength(3);
    for (const r of received) {
      const header = r.headers['trainyard-signature'] as string;
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifyWebhook(SECRET, header, r.body)).toBe(true);
      expect(verifyWebhook('whsec_someone_else_entirely', header, r.body)).toBe(false);
      expect(verifyWebhook(SECRET, header, `${r.body} `)).toBe(false);
    }
    const payload = JSON.parse(received[2]!.body);
    expect(payload).toMatchObject({
      object: 'event',
      type: 'fine_tuning.job.succeeded',
      data: { id, object: 'fine_tuning.job', status: 'succeeded', result_model: modelIdForJob(id) },
    });
    expect(payload.id).toMatch(/^evt_/);
    // Backoff: 100 ms, then 200 ms.
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(90);
    expect(received[2]!.at - received[1]!.at).toBeGreaterThanOrEqual(190);

    const events = await hookEvents(id);
    expect(events.map((e) => [e.type, e.data?.attempt, e.data?.status_code])).toEqual([
      ['webhook.failed', 1, 500],
      ['webhook.failed', 2, 503],
      ['webhook.delivered', 3, 200],
    ]);
    const state = await store.state(id);
    expect(state.webhook).toEqual({ requested: true, done: true });

    // Delivered once: a second notify (another process, a restart) sends nothing.
    await notifier().notify(id);
    expect(received).toHaveLength(3);
  });

  it('rejects a replayed signature older than the tolerance', () => {
    const body = '{"a":1}';
    const now = Math.floor(Date.now() / 1000);
    const header = `t=${now - 600},v1=${'0'.repeat(64)}`;
    expect(verifyWebhook(SECRET, header, body)).toBe(false);
  });

  it('gives up after the last attempt, recording only that it failed (no socket error), final', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const id = await finishedJob(`http://127.0.0.1:${port}/gone`);
    await notifier(2).notify(id);
    const events = await hookEvents(id);
    expect(events.map((e) => [e.type, e.data?.attempt, e.data?.final])).toEqual([
      ['webhook.failed', 1, false],
      ['webhook.failed', 2, true],
    ]);
    // Nothing of the socket (ECONNREFUSED would tell what listens where): the guard's one code.
    expect(events[0]!.data?.error).toBe('outbound_failed');
    expect((await store.state(id)).webhook.done).toBe(true);
  });

  it('refuses a loopback receiver that is not allow-listed, without connecting', async () => {
    received.length = 0;
    const id = await finishedJob(url);
    await new WebhookNotifier({
      store,
      log: new JobEventLog(runtime.storage, 'webhooks'),
      logger: runtime.logger,
      attempts: 1,
    }).notify(id);
    expect(received).toHaveLength(0);
    const events = await hookEvents(id);
    expect(events.map((e) => [e.type, e.data?.error, e.data?.final])).toEqual([
      ['webhook.failed', 'outbound_refused', true],
    ]);
  });

  it('sends only the events the job asked for', async () => {
    received.length = 0;
    const id = await finishedJob(url, ['failed']);
    await notifier().notify(id);
    expect(received).toHaveLength(0);
    expect(await hookEvents(id)).toEqual([]);
  });
});
