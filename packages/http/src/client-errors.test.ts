import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from './listen';

const servers: ServerType[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** Sends `raw` on a new connection and resolves with everything read until the server closes. */
function exchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(raw));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

describe("what Node's HTTP parser refuses", () => {
  it('answers headers over the limit with a JSON 431 and malformed HTTP with a JSON 400', async () => {
    const app = new Hono();
    app.get('/healthz', (c) => c.json({ status: 'ok' }));
    const server = await listen(app, '127.0.0.1', 0);
    servers.push(server);
    const { port } = server.address() as AddressInfo;

    const huge = await exchange(
      port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(huge).toMatch(/\r\ncontent-type: application\/json\r\n/i);
    const body = JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4)) as {
      error: { code: string; message: string };
    };
    expect(body.error.code).toBe('headers_too_large');
    expect(body.error.message).toContain('--max-http-header-size');

    const garbled = await exchange(port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbled).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(garbled.slice(garbled.indexOf('\r\n\r\n') + 4)).error.code).toBe(
      'malformed_request',
    );
    // The server still answers well-formed requests.
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({
      status: 'ok',
    });
  });
});
