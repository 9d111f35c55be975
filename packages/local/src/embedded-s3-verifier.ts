import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { EmbeddedS3Credential } from './embedded-s3-credential';
import { Sha256 } from './node-sha256';

/** Why a request to the embedded store was refused (the S3 error code it answers, 403). */
export type Refusal =
  | { code: 'AccessDenied'; message: string }
  | { code: 'SignatureDoesNotMatch'; message: string };

/** `a=1&b=%2F` → `{a: '1', b: '/'}`; `+` stays a plus, as S3 reads it. */
function parseQuery(search: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const part of search.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    const existing = out[name];
    out[name] = existing === undefined ? value : [...[existing].flat(), value];
  }
  return out;
}

/** `20240102T030405Z` → a Date. */
function amzDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

const SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies that a request to the embedded store is signed (SigV4, in the `Authorization` header
 * or as a presigned URL's query) with this install's credential, by recomputing the signature
 * with the AWS SDK's own signer. Anything else is refused: unsigned requests, other keys,
 * wrong or expired signatures, browser form posts, and `Host` headers other than the store's.
 */
export class SigV4Verifier {
  private readonly signer: SignatureV4;

  constructor(
    private readonly credential: EmbeddedS3Credential,
    /** `Host` values the store answers to (`127.0.0.1:<port>`, `localhost:<port>`). */
    private readonly hosts: readonly string[],
  ) {
    this.signer = new SignatureV4({
      credentials: credential,
      region: 'us-east-1',
      service: 's3',
      sha256: Sha256,
      // S3 signs the path as sent, without a second escaping or normalization.
      uriEscapePath: false,
      applyChecksum: false,
    });
  }

  /** Undefined when the request may pass; else why not. */
  /** Whether the request's Host header names this server (DNS rebinding gets no further). */
  knowsHost(req: IncomingMessage): boolean {
    return this.hosts.includes((req.headers.host ?? '').toLowerCase());
  }

  async check(req: IncomingMessage, now = new Date()): Promise<Refusal | undefined> {
    if (!this.knowsHost(req)) {
      return { code: 'AccessDenied', message: 'Unknown Host header' };
    }
    const type = req.headers['content-type'] ?? '';
    if (req.method === 'POST' && /^multipart\/form-data/i.test(type)) {
      return { code: 'AccessDenied', message: 'Browser form posts are not accepted' };
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    let query: Record<string, string | string[]>;
    try {
      query = parseQuery(q < 0 ? '' : url.slice(q + 1));
    } catch {
      return { code: 'AccessDenied', message: 'Malformed query string' };
    }
    const authorization = req.headers.authorization;
    const presigned = 'X-Amz-Signature' in query || 'X-Amz-Algorithm' in query;
    if (authorization !== undefined && presigned) {
      return { code: 'AccessDenied', message: 'Only one auth mechanism allowed' };
    }
    if (authorization !== undefined) return this.checkHeader(req, path, query, authorization, now);
    if (presigned) return this.checkPresigned(req, path, query, now);
    return { code: 'AccessDenied', message: 'Requests must be signed (AWS Signature Version 4)' };
  }

  private async checkHeader(
    req: IncomingMessage,
    path: string,
    query: Record<string, string | string[]>,
    authorization: string,
    now: Date,
  ): Promise<Refusal | undefined> {
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/s3\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
        authorization,
      );
    if (!m) return { code: 'AccessDenied', message: 'Unsupported Authorization header' };
    const [, keyId, day, region, signedList, signature] = m as unknown as string[];
    const date = amzDate(req.headers['x-amz-date'] as string | undefined);
    if (keyId !== this.credential.accessKeyId) return mismatch();
    if (!date || Math.abs(now.getTime() - date.getTime()) > SKEW_MS) {
      return { code: 'AccessDenied', message: 'Request time missing or too skewed' };
    }
    const signed = signedList!.split(';');
    if (!signed.includes('host') || !signed.includes('x-amz-date')) return mismatch();
    if (date.toISOString().slice(0, 10).replace(/-/g, '') !== day) return mismatch();
    const headers = this.headersOf(req, signed);
    if (!headers) return mismatch();
    const result = await this.signer.sign(
      { method: req.method ?? 'GET', protocol: 'http:', hostname: '', path, query, headers },
      { signingDate: date, signingRegion: region, signableHeaders: new Set(signed) },
    );
    const expected = /Signature=([0-9a-f]{64})$/.exec(String(result.headers.authorization))?.[1];
    const expectedList = /SignedHeaders=([^,]+),/.exec(String(result.headers.authorization))?.[1];
    return expected && expectedList === signedList && same(expected, signature!)
      ? undefined
      : mismatch();
  }

  private async checkPresigned(
    req: IncomingMessage,
    path: string,
    query: Record<string, string | string[]>,
    now: Date,
  ): Promise<Refusal | undefined> {
    const get = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : '');
    const credential = /^([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request$/.exec(
      get('X-Amz-Credential'),
    );
    const date = amzDate(get('X-Amz-Date'));
    const expires = Number(get('X-Amz-Expires'));
    const signature = get('X-Amz-Signature');
    if (
      get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' ||
      !credential ||
      !date ||
      !Number.isInteger(expires) ||
      expires < 1 ||
      expires > MAX_PRESIGNED_SECONDS ||
      !/^[0-9a-f]{64}$/.test(signature)
    ) {
      return { code: 'AccessDenied', message: 'Malformed presigned URL' };
    }
    if (credential[1] !== this.credential.accessKeyId) return mismatch();
    if (
      date.getTime() - SKEW_MS > now.getTime() ||
      date.getTime() + expires * 1000 < now.getTime()
    ) {
      return { code: 'AccessDenied', message: 'Request has expired' };
    }
    const signed = get('X-Amz-SignedHeaders').split(';');
    if (!signed.includes('host')) return mismatch();
    const headers = this.headersOf(req, signed);
    if (!headers) return mismatch();
    const { 'X-Amz-Signature': _signature, ...rest } = query;
    // What the SDK's presigner hashes as the payload; kept out of the query and signed headers.
    const unsigned = 'x-amz-content-sha256';
    const result = await this.signer.presign(
      {
        method: req.method ?? 'GET',
        protocol: 'http:',
        hostname: '',
        path,
        query: rest,
        headers: { ...headers, [unsigned]: 'UNSIGNED-PAYLOAD' },
      },
      {
        signingDate: date,
        signingRegion: credential[3],
        expiresIn: expires,
        signableHeaders: new Set(signed),
        unsignableHeaders: new Set([unsigned]),
        unhoistableHeaders: new Set([...signed, unsigned]),
      },
    );
    const expected = String(result.query?.['X-Amz-Signature'] ?? '');
    return result.query?.['X-Amz-SignedHeaders'] === get('X-Amz-SignedHeaders') &&
      same(expected, signature)
      ? undefined
      : mismatch();
  }

  /** The signed headers' values as received; undefined when one is missing. */
  private headersOf(req: IncomingMessage, signed: string[]): Record<string, string> | undefined {
    const out: Record<string, string> = {};
    for (const name of signed) {
      const value = req.headers[name];
      if (value === undefined) return undefined;
      out[name] = Array.isArray(value) ? value.join(',') : value;
    }
    return out;
  }
}

function mismatch(): Refusal {
  return {
    code: 'SignatureDoesNotMatch',
    message: 'The request signature we calculated does not match the signature you provided',
  };
}
