import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request: pass it on, answer it itself, or cut its stream. */
export type ProxyAction =
  | { kind: 'pass' }
  | { kind: 'answer'; status: number; headers?: Record<string, string>; body?: string }
  /** Pass it on, then drop the connection once this many SSE messages went through. */
  | { kind: 'cut-after-messages'; messages: number };

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

/**
 * A real HTTP server in front of `target` that forwards requests, except where `decide` says to
 * answer (a 503 with Retry-After) or to drop an event stream mid-way. Records every request.
 */
export async function startProxy(
  target: string,
  decide: (req: SeenRequest, index: number) => ProxyAction = () => ({ kind: 'pass' }),
) {
  const seen: SeenRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const entry = { method: req.method!, url: req.url!, headers: req.headers };
    seen.push(entry);
    const action = decide(entry, seen.length - 1);
    if (action.kind === 'answer') {
      req.resume();
      res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
      res.end(action.body ?? '');
      return;
    }
    const url = new URL(req.url!, target);
    const upstream = request(
      url,
      { method: req.method, headers: { ...req.headers, host: url.host } },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        if (action.kind !== 'cut-after-messages') {
          answer.pipe(res);
          return;
        }
        let text = '';
        let dropped = false;
        answer.on('data', (chunk: Buffer) => {
          if (dropped) return;
          text += chunk.toString('utf8');
          const messages = text.split('\n\n');
          const complete = messages.slice(0, -1).filter((m) => m && !m.startsWith(':'));
          if (complete.length >= action.messages) {
            // Exactly the first N whole messages reach the client, then the connection drops.
            const cut = messages.slice(0, action.messages).join('\n\n');
            dropped = true;
            answer.destroy();
            // Once those bytes are out, kill the socket: no clean end of the stream.
            res.write(`${cut}\n\n`, () => res.socket?.destroy());
          }
        });
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
