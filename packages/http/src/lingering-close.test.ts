import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { ServerType } from '@hono/node-server';
import { createLogger } from '@trainyard/shared';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyBounds } from './body-bounds';
import { errorHandler } from './error-handler';
import { listen } from './listen';

const servers: ServerType[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A server whose POST /v1/things reads a JSON body of at most 1 MiB. */
async function boundedServer(): Promise<number> {
  const app = new Hono();
  app.onError(errorHandler(createLogger('test', 'silent')));
  app.use(
    bodyBounds({
      maxBytes: 10 << 20,
      maxBytesVariable: 'MAX_BODY_BYTES',
      maxJsonDepth: 64,
      timeoutMs: 30_000,
    }),
  );
  app.post('/v1/things', async (c) => c.json(await c.req.json()));
  const server = await listen(app, '127.0.0.1', 0);
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

/**
 * Writes a chunked body of `total` bytes as fast as the socket takes it, without reading first
 * (as curl -T - or a plain socket does), and resolves with what came back before the socket
 * closed: the answer's text, or the error that ended the socket.
 */
function sendFast(port: number, total: number): Promise<{ text: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let error: string | undefined;
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => resolve({ text, error }));
    socket.write(
      'POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    const chunk = Buffer.alloc(64 << 10, 0x20);
    const head = Buffer.from(`${chunk.length.toString(16)}\r\n`);
    let sent = 0;
    const pump = () => {
      while (sent < total && !socket.destroyed) {
        sent += chunk.length;
        const ok = socket.write(Buffer.concat([head, chunk, Buffer.from('\r\n')]));
        if (!ok) {
          socket.once('drain', pump);
          return;
        }
      }
      if (!socket.destroyed) socket.end('0\r\n\r\n');
    };
    pump();
  });
}

describe('lingering close after an answer that leaves the body unread', () => {
  it('a client still sending a body over the limit reads the 413, every time', async () => {
    const port = await boundedServer();
    for (let i = 0; i < 4; i++) {
      const { text } = await sendFast(port, 100 << 20);
      expect(text).toMatch(/^HTTP\/1\.1 413 /);
      expect(text).toContain('MAX_BODY_BYTES');
      expect(text).toMatch(/\r\nconnection: close\r\n/i);
    }
  }, 60_000);
});
