import { DependencyError, ValidationError } from '@trainyard/shared';
import type { Context } from 'hono';
import type { InProcessApp } from './api-client';

/** Request headers the browser may pass on to the API; everything else (cookies…) stays here. */
const FORWARDED = ['accept', 'content-type', 'content-length', 'last-event-id', 'idempotency-key'];
/** Response headers passed back. */
const RETURNED = ['content-type', 'cache-control', 'content-disposition', 'idempotent-replayed'];

function forwardHeaders(c: Context, apiKey: string): Headers {
  const headers = new Headers({ Authorization: `Bearer ${apiKey}` });
  for (const name of FORWARDED) {
    const value = c.req.header(name);
    if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

function passBack(res: Response): Response {
  const headers = new Headers();
  for (const name of RETURNED) {
    const value = res.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(res.body, { status: res.status, headers });
}

function bodyInit(c: Context): RequestInit {
  const method = c.req.method;
  if (method === 'GET' || method === 'HEAD' || !c.req.raw.body) return { method };
  // Streamed on (uploads): the API route bounds it as it bounds any client.
  return { method, body: c.req.raw.body, duplex: 'half' } as RequestInit;
}

/**
 * `/console/api/v1/…` → `/v1/…` of this same app, in-process, with the session's API key: the
 * browser's uploads, event streams and JSON calls go through exactly the public routes.
 */
export async function forwardToApi(c: Context, app: InProcessApp, apiKey: string) {
  const url = new URL(c.req.url);
  const target = new URL(url.pathname.replace(/^\/console\/api/, '') + url.search, url.origin);
  // Encoded dots (`%2e%2e/`) resolve here: whatever they spell must still be a /v1 route.
  if (!target.pathname.startsWith('/v1/')) {
    throw new ValidationError(
      `Invalid console API path ${JSON.stringify(url.pathname.slice(0, 200))}: expected /console/api/v1/…`,
      { param: 'path' },
    );
  }
  const res = await app.request(
    new Request(target, {
      ...bodyInit(c),
      headers: forwardHeaders(c, apiKey),
    }),
  );
  return passBack(res);
}

const MODEL_ID = /^model_[0-9a-z]{1,64}$/;

/**
 * `POST /console/predict/{model}` → `POST {inferUrl}/v1/models/{model}/predict` with the session's
 * key: the console's server reaches the inference function (another port locally, another function
 * on AWS), so the browser needs neither its address nor the key.
 */
export async function forwardToInfer(c: Context, inferUrl: string, apiKey: string) {
  const model = c.req.param('model') ?? '';
  if (!MODEL_ID.test(model)) {
    throw new ValidationError(
      `Invalid model id ${JSON.stringify(model.slice(0, 80))}: expected model_ then 1-64 of 0-9a-z`,
      { param: 'path.model' },
    );
  }
  const target = `${inferUrl.replace(/\/$/, '')}/v1/models/${model}/predict`;
  let res: Response;
  try {
    res = await fetch(target, { ...bodyInit(c), headers: forwardHeaders(c, apiKey) });
  } catch (cause) {
    throw new DependencyError(
      `The inference function did not answer at ${inferUrl} (CONSOLE_INFER_URL): ${(cause as Error).message}`,
      { cause },
    );
  }
  return passBack(res);
}
