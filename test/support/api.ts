import type { AddressInfo } from 'node:net';
import { startApiServer } from '@trainyard/api';
import type { Runtime } from '@trainyard/shared';
import { isolatedRuntime } from '@trainyard/testing';

export interface TestApi {
  readonly url: string;
  readonly runtime: Runtime;
  /** `fetch` against the API with the API key set. */
  call(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** The API served over real HTTP on a free port, on its own bucket of the real S3 endpoint. */
export async function startTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  const runtime = await isolatedRuntime('ty-e2e', env);
  const server = await startApiServer(runtime, 0);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { secret } = await runtime.apiKeys.create('test');
  return {
    url,
    runtime,
    call: (path, init = {}) =>
      fetch(`${url}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${secret}`, ...init.headers },
      }),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.dispose();
    },
  };
}

/** JSON body of a response, typed loosely for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary fields
export async function body(res: Response): Promise<any> {
  return res.json();
}

/**
 * `POST /v1/datasets` for Fisher's iris as a CSV (`label_column: species`), with `extra` fields;
 * the created dataset's JSON (its `id`, `upload`, …). Throws when the answer is not 201.
 */
export async function createIrisDataset(
  call: TestApi['call'],
  extra: Record<string, unknown> = {},
) {
  const res = await call('/v1/datasets', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'iris',
      task: 'tabular_classification',
      format: 'csv',
      label_column: 'species',
      ...extra,
    }),
  });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
  return body(res);
}
