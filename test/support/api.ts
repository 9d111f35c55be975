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
