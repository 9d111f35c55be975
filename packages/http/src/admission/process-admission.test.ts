import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../listen';
import { ProcessAdmission } from './process-admission';

const servers: ServerType[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/**
 * A server whose `POST /v1/slow` reads its body and then waits until `open()`; at most `cap`
 * predictions at once. `bodiesRead` counts the bodies the app read.
 */
async function serverWithCap(cap: number) {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const seen = { bodiesRead: 0 };
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.post('/v1/slow', async (c) => {
    await c.req.text();
    seen.bodiesRead++;
    await gate;
    return c.json({ ok: true });
  });
  const admission = new ProcessAdmission({
    budgetMs: 1000,
    budgetVariable: 'TEST_BUDGET_MS',
    maxInFlight: cap,
    applies: (method, url) => method === 'POST' && url.startsWith('/v1/'),
  });
  const server = await listen(app, '127.0.0.1', 0, { admission });
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, open, seen, admission };
}

/** Sends only the head of a POST that declares `length` bytes of body, and reads the answer. */
function headOnly(port: number, path: string, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`,
      );
    });
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if (/\r\n\r\n[\s\S]*\}\}$/.test(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
  });
}

describe('ProcessAdmission (admission before the app, in the request event)', () => {
  it('answers 503 overloaded with Retry-After past the cap without waiting for the body', async () => {
    const server = await serverWithCap(1);
    const first = fetch(`${server.url}/v1/slow`, { method: 'POST', body: '{}' });
    await expect.poll(() => server.seen.bodiesRead, { timeout: 10_000 }).toBe(1);
    // The second request's body never comes: it is answered from its head alone.
    const answer = await headOnly(server.port, '/v1/slow', 100_000);
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toMatch(/\r\nretry-after: [1-9]\d*\r\n/i);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as {
      error: { code: string; message: string };
    };
    expect(body.error.code).toBe('overloaded');
    expect(body.error.message).toContain('within 1000 ms (TEST_BUDGET_MS)');
    // A declared body this large is not waited for: the connection closes.
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(server.seen.bodiesRead).toBe(1);
    // Requests it does not count pass while it is full.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    server.open();
    expect((await first).status).toBe(200);
    // Once the held request is answered, the next is admitted.
    const next = await fetch(`${server.url}/v1/slow`, { method: 'POST', body: '{}' });
    expect(next.status).toBe(200);
    expect(server.admission.stats().inFlight).toBe(0);
  });

  it('keeps the connection of a refused request with a small body for the next request', async () => {
    const server = await serverWithCap(1);
    const first = fetch(`${server.url}/v1/slow`, { method: 'POST', body: '{}' });
    await expect.poll(() => server.seen.bodiesRead, { timeout: 10_000 }).toBe(1);
    const refused = await fetch(`${server.url}/v1/slow`, { method: 'POST', body: '{"a":1}' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('connection')).not.toBe('close');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('overloaded');
    server.open();
    expect((await first).status).toBe(200);
    expect(server.seen.bodiesRead).toBe(1);
  });
});
