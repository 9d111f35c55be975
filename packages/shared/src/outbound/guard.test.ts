import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, UnprocessableError } from '../errors';
import { isRefusedAddress } from './addresses';
import { OutboundAllowList } from './allow-list';
import { OutboundError } from './errors';
import { OutboundGuard } from './guard';

// Every target here is on loopback (127.0.0.1, 127.0.0.2, ::1): the guard must refuse each
// spelling of it unless allow-listed, and never connect where it refused.

interface Target {
  server: Server;
  port: number;
  hits: string[];
}

/** A server on `host` that answers by path: `/redirect?to=…`, `/big`, `/hang`, else 200 "ok". */
async function target(host: string): Promise<Target> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url!);
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/redirect') {
      res.writeHead(302, { location: url.searchParams.get('to')! }).end();
    } else if (url.pathname === '/loop') {
      res.writeHead(302, { location: '/loop' }).end();
    } else if (url.pathname === '/big') {
      res.writeHead(200).end(Buffer.alloc(64 * 1024));
    } else if (url.pathname === '/hang') {
      // never answers
    } else if (url.pathname === '/teapot') {
      res.writeHead(418).end('internal detail');
    } else {
      res.writeHead(200).end('ok');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

let one: Target;
let two: Target;
beforeAll(async () => {
  one = await target('127.0.0.1');
  two = await target('127.0.0.2');
});
afterAll(async () => {
  for (const t of [one, two]) {
    t.server.closeAllConnections();
    await new Promise((r) => t.server.close(r));
  }
});

/** The loopback spellings an attacker tries, all on `port`. */
const spellings = (port: number) => [
  `http://127.0.0.1:${port}/`,
  `http://127.0.0.2:${port}/`,
  `http://[::1]:${port}/`,
  `http://localhost:${port}/`,
  `http://2130706433:${port}/`,
  `http://0x7f000001:${port}/`,
  `http://0177.0.0.1:${port}/`,
  `http://127.1:${port}/`,
  `http://[::ffff:127.0.0.1]:${port}/`,
  `http://[::ffff:7f00:1]:${port}/`,
  `http://0.0.0.0:${port}/`,
  `http://0:${port}/`,
  `http://[::]:${port}/`,
  `http://LOCALHOST.:${port}/`,
];

async function refusal(promise: Promise<unknown>): Promise<OutboundError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundError);
  return error as OutboundError;
}

describe('OutboundGuard', () => {
  it('refuses every spelling of a loopback or unspecified address with one and the same error', async () => {
    const guard = new OutboundGuard();
    const errors = [];
    for (const url of spellings(one.port)) errors.push(await refusal(guard.fetch(url)));
    const first = errors[0]!;
    expect(first.code).toBe('outbound_refused');
    for (const e of errors) {
      expect({ code: e.code, message: e.message, kind: e.kind }).toEqual({
        code: first.code,
        message: first.message,
        kind: 'unprocessable',
      });
    }
    expect(one.hits).toEqual([]);
    expect(two.hits).toEqual([]);
  });

  it('lets an allow-listed host:port through, in every spelling of that address', async () => {
    const guard = new OutboundGuard({ allow: [`127.0.0.1:${one.port}`] });
    for (const url of [
      `http://127.0.0.1:${one.port}/a`,
      `http://2130706433:${one.port}/b`,
      `http://0x7f000001:${one.port}/c`,
      `http://0177.0.0.1:${one.port}/d`,
      `http://127.1:${one.port}/e`,
    ]) {
      const res = await guard.fetch(url);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('ok');
    }
    expect(one.hits).toEqual(['/a', '/b', '/c', '/d', '/e']);
    // Another port, another loopback address, another name: still refused.
    await refusal(guard.fetch(`http://127.0.0.2:${two.port}/`));
    await refusal(guard.fetch(`http://localhost:${one.port}/`));
    await refusal(guard.fetch(`http://127.0.0.1:${two.port}/`));
    one.hits.length = 0;
  });

  it('allows a name or a CIDR when listed', async () => {
    const byName = new OutboundGuard({ allow: ['localhost'] });
    expect((await byName.fetch(`http://localhost:${one.port}/name`)).status).toBe(200);
    const byCidr = new OutboundGuard({ allow: ['127.0.0.0/8'] });
    expect((await byCidr.fetch(`http://127.0.0.2:${two.port}/cidr`)).status).toBe(200);
    await refusal(byCidr.fetch(`http://[::1]:${one.port}/`));
    expect(one.hits).toEqual(['/name']);
    expect(two.hits).toEqual(['/cidr']);
    one.hits.length = 0;
    two.hits.length = 0;
  });

  it('re-checks every redirect: a 302 from an allowed server to a refused address is refused', async () => {
    const guard = new OutboundGuard({ allow: [`127.0.0.1:${one.port}`] });
    for (const to of [
      `http://127.0.0.2:${two.port}/stolen`,
      `http://localhost:${two.port}/stolen`,
      `http://[::ffff:127.0.0.2]:${two.port}/stolen`,
      `http://2130706434:${two.port}/stolen`,
    ]) {
      const error = await refusal(
        guard.fetch(`http://127.0.0.1:${one.port}/redirect?to=${encodeURIComponent(to)}`),
      );
      expect(error.code).toBe('outbound_refused');
    }
    expect(two.hits).toEqual([]);
    // An allowed hop is followed, by hand.
    const ok = await guard.fetch(
      `http://127.0.0.1:${one.port}/redirect?to=${encodeURIComponent('/fine')}`,
    );
    expect(ok.status).toBe(200);
    expect(ok.url).toBe(`http://127.0.0.1:${one.port}/fine`);
    one.hits.length = 0;
  });

  it('gives up after 5 redirects, and caps size and time, with the one failure error', async () => {
    const guard = new OutboundGuard({ allow: [`127.0.0.1:${one.port}`] });
    const loop = await refusal(guard.fetch(`http://127.0.0.1:${one.port}/loop`));
    expect(loop.code).toBe('outbound_failed');
    expect(one.hits).toHaveLength(6);
    const big = await refusal(guard.fetch(`http://127.0.0.1:${one.port}/big`, { maxBytes: 1024 }));
    const started = Date.now();
    const slow = await refusal(
      guard.fetch(`http://127.0.0.1:${one.port}/hang`, { timeoutMs: 300 }),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    // Nothing listens here: the socket error is not told either.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const refused = await refusal(
      new OutboundGuard({ allow: ['127.0.0.1'] }).fetch(`http://127.0.0.1:${port}/`),
    );
    for (const e of [big, slow, refused]) {
      expect({ code: e.code, message: e.message }).toEqual({
        code: loop.code,
        message: loop.message,
      });
    }
    // A size error of the caller's own, when it has one.
    await expect(
      guard.fetch(`http://127.0.0.1:${one.port}/big`, {
        maxBytes: 1024,
        tooLarge: () => new UnprocessableError('too big', { code: 'model_too_large' }),
      }),
    ).rejects.toMatchObject({ code: 'model_too_large' });
    one.hits.length = 0;
  });

  it('connects to the address it checked, never resolving the name a second time', async () => {
    let lookups = 0;
    const guard = new OutboundGuard({
      allow: ['127.0.0.1/32'],
      // First answer: an allowed address; any later one (a rebinding DNS server) another.
      resolve: async () => (lookups++ === 0 ? ['127.0.0.1'] : ['127.0.0.2']),
    });
    const res = await guard.fetch(`http://rebind.test:${one.port}/pinned`);
    expect(res.status).toBe(200);
    expect(lookups).toBe(1);
    expect(one.hits).toEqual(['/pinned']);
    // A name with one internal address among public-looking ones is refused whole.
    const mixed = new OutboundGuard({ resolve: async () => ['127.0.0.1'] });
    expect((await refusal(mixed.fetch(`http://mixed.test:${one.port}/`))).code).toBe(
      'outbound_refused',
    );
    one.hits.length = 0;
  });

  it('answers any status as it came: the caller decides, the guard reveals nothing more', async () => {
    const guard = new OutboundGuard({ allow: [`127.0.0.1:${one.port}`] });
    const res = await guard.fetch(`http://127.0.0.1:${one.port}/teapot`);
    expect(res.status).toBe(418);
    one.hits.length = 0;
  });

  it('refuses URLs that are not http(s) or carry credentials', async () => {
    const guard = new OutboundGuard({ allow: ['127.0.0.1'] });
    for (const url of [
      'file:///etc/passwd',
      'ftp://127.0.0.1/',
      `http://u:p@127.0.0.1:${one.port}/`,
    ]) {
      expect((await refusal(guard.fetch(url))).code).toBe('outbound_refused');
    }
    expect(one.hits).toEqual([]);
  });
});

describe('internal addresses and the allow-list', () => {
  it('classifies addresses without any traffic', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::',
      '::1',
      '::ffff:127.0.0.1',
      '::ffff:8.8.8.8',
      'fe80::1',
      'fd00:ec2::254',
      'fc00::1',
      '64:ff9b::7f00:1',
      'not-an-address',
    ]) {
      expect(isRefusedAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111']) {
      expect(isRefusedAddress(a), a).toBe(false);
    }
  });

  it('names a bad OUTBOUND_ALLOW entry', () => {
    expect(() => OutboundAllowList.parse('127.0.0.1, 10.0.0.0/99')).toThrow(ConfigError);
    expect(() => OutboundAllowList.parse('http://x/y')).toThrow(/OUTBOUND_ALLOW/);
    expect(OutboundAllowList.parse(' localhost:8080 , 10.0.0.0/8 ,').entries).toEqual([
      'localhost:8080',
      '10.0.0.0/8',
    ]);
  });
});
