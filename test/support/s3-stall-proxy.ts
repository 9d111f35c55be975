import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@trainyard/local/node-sha256';

export interface StallProxy {
  /** `http://127.0.0.1:<port>`: the S3 endpoint to give the process under test. */
  readonly endpoint: string;
  /** Resolves once the answer to the request `stallAfter` matched has been passed on. */
  readonly stalled: Promise<void>;
  /**
   * Stops holding, for good: each held request whose client is still connected goes on to S3
   * (those of a killed process are dropped), and so does every later one.
   */
  release(): void;
  /** Drops the held requests and stops listening. */
  close(): Promise<void>;
}

/** `a=1&b=%2F` → `{a: '1', b: '/'}` (what the signer takes). */
function queryOf(search: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of search.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    out[decodeURIComponent(eq < 0 ? part : part.slice(0, eq))] =
      eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
  }
  return out;
}

/** The credential the proxy signs with: given, or read when the first request comes. */
export type StallProxyCredentials =
  | { accessKeyId: string; secretAccessKey: string }
  | (() => Promise<{ accessKeyId: string; secretAccessKey: string }>);

/**
 * An HTTP proxy in front of the real S3 endpoint `target` (path-style) that passes each request
 * on, re-signed (SigV4, with `credentials`, by default `AWS_ACCESS_KEY_ID` /
 * `AWS_SECRET_ACCESS_KEY`; the same date, region and signed headers) for the target's Host, until S3 has answered the first one that
 * `stallAfter(method, path)` matches (path without the query). It passes that answer on, then
 * holds every later request unanswered. A process pointed at it stops at its next S3 call after
 * that one: a test can kill it at a known point of its work, not wherever a poll of S3 happened
 * to notice it, which on a loaded machine can be much later. `release()` lets it (or the next
 * attempt, pointed at the same proxy) go on.
 */
export async function startStallProxy(
  target: string,
  stallAfter: (method: string, path: string) => boolean,
  credentials: StallProxyCredentials = {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '',
  },
): Promise<StallProxy> {
  const upstream = new URL(target);
  const signer = new SignatureV4({
    credentials,
    region: 'us-east-1',
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  /** The request's headers signed again for `upstream.host` (unsigned ones as they came). */
  async function resigned(
    method: string,
    url: string,
    headers: IncomingHttpHeaders,
  ): Promise<IncomingHttpHeaders> {
    const m =
      /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+)/.exec(
        headers.authorization ?? '',
      );
    if (!m) return { ...headers, host: upstream.host };
    const signed = m[2]!.split(';');
    const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(
      String(headers['x-amz-date']),
    );
    const signingDate = new Date(
      Date.UTC(+date![1]!, +date![2]! - 1, +date![3]!, +date![4]!, +date![5]!, +date![6]!),
    );
    const toSign: Record<string, string> = {};
    for (const name of signed) toSign[name] = String(headers[name]);
    toSign.host = upstream.host;
    const q = url.indexOf('?');
    const result = await signer.sign(
      {
        method,
        protocol: 'http:',
        hostname: '',
        path: q < 0 ? url : url.slice(0, q),
        query: queryOf(q < 0 ? '' : url.slice(q + 1)),
        headers: toSign,
      },
      { signingDate, signingRegion: m[1]!, signableHeaders: new Set(signed) },
    );
    return { ...headers, host: upstream.host, authorization: String(result.headers.authorization) };
  }

  const held: Array<{ req: IncomingMessage; res: ServerResponse }> = [];
  let stalled = false;
  let released = false;
  let markStalled: () => void = () => {};
  const stalledPromise = new Promise<void>((resolve) => {
    markStalled = resolve;
  });
  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    req.pause();
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method,
        path: url,
        headers: await resigned(method, url, req.headers),
      },
      (answer) => {
        if (!stalled && !released && stallAfter(method, url.split('?')[0]!)) {
          stalled = true;
          res.on('finish', markStalled);
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
    req.resume();
  }
  const server = createServer((req, res) => {
    if (stalled && !released) held.push({ req, res });
    else void forward(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stalled: stalledPromise,
    release() {
      released = true;
      for (const { req, res } of held.splice(0)) {
        if (req.socket.destroyed) res.destroy();
        else void forward(req, res);
      }
    },
    async close() {
      for (const { res } of held.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
