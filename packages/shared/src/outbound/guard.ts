import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { TrainyardError } from '../errors';
import { addressOfHostname, isRefusedAddress } from './addresses';
import { OutboundAllowList } from './allow-list';
import { OutboundError } from './errors';

export interface OutboundRequest {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Redirects followed, each hop checked again. Default 5; 0 treats a redirect as the answer. */
  readonly maxRedirects?: number;
  /** For the whole request, redirects included. Default 10 s. */
  readonly timeoutMs?: number;
  /** Largest body read. Default 1 MiB. */
  readonly maxBytes?: number;
  /** The error when the body is over `maxBytes`. Default: `outbound_failed`. */
  readonly tooLarge?: (bytes: number) => TrainyardError;
  /** The field the URL came from, for the error's `param`. */
  readonly param?: string;
}

export interface OutboundResponse {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  /** The URL that answered, after redirects. */
  readonly url: string;
}

export interface OutboundGuardOptions {
  /** `OUTBOUND_ALLOW` entries; empty (the default) allows no internal address. */
  readonly allow?: readonly string[] | OutboundAllowList;
  /** Name resolution, replaceable in tests. Default: the system resolver. */
  readonly resolve?: (hostname: string) => Promise<string[]>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function systemResolve(hostname: string): Promise<string[]> {
  return (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
}

/**
 * The one way Trainyard fetches a URL a user gave (base-model imports, webhooks): it resolves
 * the host, refuses internal addresses in every spelling unless `OUTBOUND_ALLOW` lists them,
 * connects to the very address it checked (no second resolution to rebind), follows redirects by
 * hand checking each hop, caps time and size, and fails with one `OutboundError` that says
 * nothing of the target.
 */
export class OutboundGuard {
  private readonly allow: OutboundAllowList;
  private readonly resolve: (hostname: string) => Promise<string[]>;

  constructor(options: OutboundGuardOptions = {}) {
    this.allow =
      options.allow instanceof OutboundAllowList
        ? options.allow
        : new OutboundAllowList(options.allow ?? []);
    this.resolve = options.resolve ?? systemResolve;
  }

  /** Sends the request; any answer but a network failure resolves (the caller judges status). */
  async fetch(url: string | URL, init: OutboundRequest = {}): Promise<OutboundResponse> {
    const param = init.param;
    const deadline = Date.now() + (init.timeoutMs ?? 10_000);
    const maxRedirects = init.maxRedirects ?? 5;
    let current = await this.parse(url, param);
    let method = init.method ?? 'GET';
    let body = init.body;
    for (let hop = 0; ; hop++) {
      const address = await this.check(current, param);
      const res = await this.send(current, address, { ...init, method, body }, deadline);
      const location = res.headers.location;
      if (!REDIRECTS.has(res.status) || maxRedirects === 0 || location === undefined) return res;
      if (hop >= maxRedirects) throw new OutboundError('outbound_failed', { param });
      current = await this.parse(new URL(location, current), param);
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
    }
  }

  /** The address `url` may be reached at, or an `outbound_refused` error. */
  async check(url: URL, param?: string): Promise<string> {
    const literal = addressOfHostname(url.hostname);
    let addresses: string[];
    const name = url.hostname.replace(/\.+$/, '');
    if (literal) addresses = [literal];
    // RFC 6761: `localhost` and `*.localhost` are loopback, whatever a resolver says of them.
    else if (name === 'localhost' || name.endsWith('.localhost')) addresses = ['127.0.0.1'];
    else {
      try {
        addresses = await this.resolve(url.hostname);
      } catch {
        throw new OutboundError('outbound_failed', { param });
      }
      if (addresses.length === 0) throw new OutboundError('outbound_failed', { param });
    }
    // Every address the name has must pass: a name may not smuggle one internal address in.
    for (const address of addresses) {
      if (isRefusedAddress(address) && !this.allow.allows(url, address)) {
        throw new OutboundError('outbound_refused', { param });
      }
    }
    // IPv4 first, as most clients try it: a dual-stack name reaches IPv4-only servers.
    return addresses.find((a) => isIP(a) === 4) ?? addresses[0]!;
  }

  private async parse(url: string | URL, param?: string): Promise<URL> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OutboundError('outbound_refused', { param });
    }
    if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.username) {
      throw new OutboundError('outbound_refused', { param });
    }
    return parsed;
  }

  private send(
    url: URL,
    address: string,
    init: OutboundRequest & { method: string },
    deadline: number,
  ): Promise<OutboundResponse> {
    const family = address.includes(':') ? 6 : 4;
    // Connect to the checked address whatever the name resolves to now.
    const lookup = ((_host, options, callback) => {
      if ((options as { all?: boolean }).all) callback(null, [{ address, family }]);
      else (callback as (e: null, a: string, f: number) => void)(null, address, family);
    }) as LookupFunction;
    const options: RequestOptions = {
      method: init.method,
      headers: {
        ...init.headers,
        ...(init.body !== undefined
          ? { 'content-length': String(Buffer.byteLength(init.body)) }
          : {}),
      },
      lookup,
      agent: false,
      timeout: Math.max(1, deadline - Date.now()),
    };
    const maxBytes = init.maxBytes ?? 1024 * 1024;
    const param = init.param;
    return new Promise<OutboundResponse>((resolve, reject) => {
      const failed = () => reject(new OutboundError('outbound_failed', { param }));
      const timer = setTimeout(
        () => {
          req.destroy();
          failed();
        },
        Math.max(1, deadline - Date.now()),
      );
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
        const declared = Number(res.headers['content-length'] ?? Number.NaN);
        const tooLarge = (bytes: number) => {
          clearTimeout(timer);
          res.destroy();
          reject(init.tooLarge?.(bytes) ?? new OutboundError('outbound_failed', { param }));
        };
        if (declared > maxBytes) return tooLarge(declared);
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > maxBytes) tooLarge(total);
          else chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            url: url.href,
          });
        });
        res.on('error', () => {
          clearTimeout(timer);
          failed();
        });
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => {
        clearTimeout(timer);
        failed();
      });
      req.end(init.body);
    });
  }
}
