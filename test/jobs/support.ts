import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startApiServer } from '@trainyard/api';
import { LocalRunner, type LocalRunnerOptions, WebhookNotifier } from '@trainyard/queue';
import { JobEventLog, JobStore, OutboundGuard, type Runtime } from '@trainyard/shared';
import { iris, isolatedRuntime, toCsv } from '@trainyard/testing';
import { createIrisDataset } from '../support/api';

/** The contract fixture (test/fixtures/contract-trainer.ts): runner tests only, never e2e. */
export const FIXTURE_COMMAND = [
  process.execPath,
  '--import',
  'tsx',
  join(import.meta.dirname, '..', 'fixtures', 'contract-trainer.ts'),
];

export interface JobsApi {
  readonly url: string;
  readonly runtime: Runtime;
  readonly runner: LocalRunner;
  readonly store: JobStore;
  /** The API key `call` and `post` send. */
  readonly secret: string;
  call(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The API over real HTTP, with a local runner in the same process, on a bucket of its own;
 * `env`: configuration variables over the tests' defaults.
 */
export async function startJobsApi(
  runner: Partial<LocalRunnerOptions> = {},
  env: Record<string, string> = {},
): Promise<JobsApi> {
  // Webhook receivers in these tests listen on loopback: allow-listed, as an operator would.
  const runtime = await isolatedRuntime('ty-jobs', { OUTBOUND_ALLOW: '127.0.0.1', ...env });
  const store = new JobStore(runtime.storage, new JobEventLog(runtime.storage, 'test'));
  const local = new LocalRunner({
    store: new JobStore(runtime.storage, new JobEventLog(runtime.storage, 'runner')),
    log: new JobEventLog(runtime.storage, 'runner'),
    config: runtime.config,
    logger: runtime.logger,
    command: FIXTURE_COMMAND,
    output: 'ignore',
    killGraceMs: 1000,
    pollMs: 100,
    retryDelayMs: 10,
    webhooks: new WebhookNotifier({
      store,
      log: new JobEventLog(runtime.storage, 'webhooks'),
      logger: runtime.logger,
      baseDelayMs: 50,
      outbound: new OutboundGuard({ allow: runtime.config.outbound.allow }),
    }),
    ...runner,
  });
  await local.start();
  const server = await startApiServer({ ...runtime, queue: local }, 0);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { secret } = await runtime.apiKeys.create('test');
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${secret}`, ...init.headers },
    });
  return {
    url,
    runtime,
    runner: local,
    store,
    secret,
    call,
    post: (path, body, headers = {}) =>
      call(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    async close() {
      await local.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await runtime.dispose();
    },
  };
}

/** Uploads Fisher's iris as a CSV dataset through the API and validates it: a `ready` dataset. */
export async function irisDataset(
  call: (path: string, init?: RequestInit) => Promise<Response>,
): Promise<string> {
  const { id } = (await createIrisDataset(call)) as { id: string };
  const { header, rows } = iris();
  const put = await call(`/v1/datasets/${id}/file`, { method: 'PUT', body: toCsv(header, rows) });
  if (put.status !== 200) throw new Error(`upload: ${put.status} ${await put.text()}`);
  const done = await call(`/v1/datasets/${id}/complete`, { method: 'POST' });
  const dataset = (await done.json()) as { status: string };
  if (dataset.status !== 'ready') throw new Error(`iris is ${JSON.stringify(dataset)}`);
  return id;
}

/** Reads a Server-Sent Events response to its end: each message's id, event and data. */
export async function readSse(
  res: Response,
): Promise<Array<{ id?: string; event?: string; data: string }>> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim() && !block.startsWith(':'))
    .map((block) => {
      const message: { id?: string; event?: string; data: string } = { data: '' };
      for (const line of block.split('\n')) {
        const at = line.indexOf(':');
        const [field, value] = [line.slice(0, at), line.slice(at + 1).replace(/^ /, '')];
        if (field === 'id') message.id = value;
        if (field === 'event') message.event = value;
        if (field === 'data') message.data += value;
      }
      return message;
    });
}

/** What tests read from JSON answers, field by field. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary fields
export type Loose = any;

/** Polls `GET /v1/fine-tuning/jobs/{id}` until the job has ended. */
export async function untilEnded(
  api: Pick<JobsApi, 'call'>,
  id: string,
  timeoutMs = 30_000,
): Promise<Loose> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await (await api.call(`/v1/fine-tuning/jobs/${id}`)).json()) as { status: string };
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Resolves once `stalled` has (a stall proxy held the job's trainer at its chosen request);
 * throws if the job ends first (it never reached that request), with its status.
 */
export async function untilStalled(
  api: Pick<JobsApi, 'call'>,
  id: string,
  stalled: Promise<void>,
): Promise<void> {
  let held = false;
  void stalled.then(() => {
    held = true;
  });
  while (!held) {
    const job = (await (await api.call(`/v1/fine-tuning/jobs/${id}`)).json()) as { status: string };
    if (held) return;
    if (['succeeded', 'failed', 'cancelled'].includes(job.status))
      throw new Error(`job ${id} ${job.status} before the proxy held its trainer`);
    await Promise.race([stalled, new Promise((r) => setTimeout(r, 200))]);
  }
}
