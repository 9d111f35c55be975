/** The header every webhook delivery carries: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'Trainyard-Signature';

export interface VerifyWebhookOptions {
  /** Largest age (either way) of the signature's `t`, against replays. Default 300 s. */
  readonly toleranceSeconds?: number;
  /** Now, in Unix seconds. Default: the clock. */
  readonly now?: number;
}

const hexToBytes = (hex: string): Uint8Array<ArrayBuffer> | undefined => {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
};

/**
 * What a webhook receiver does: resolves true when `header` (the `Trainyard-Signature` value)
 * holds a `v1` HMAC-SHA256 of `"<t>.<body>"` keyed by `secret` (the job's `whsec_…`), with `t`
 * within `toleranceSeconds` of now. `body` is the raw request body, exactly as received.
 * Web Crypto only: works in Node 20+, browsers, Deno and workers. Never throws for a bad header.
 */
export async function verifyWebhook(
  secret: string,
  header: string | null | undefined,
  body: string,
  options: VerifyWebhookOptions = {},
): Promise<boolean> {
  if (!header) return false;
  const parts = header.split(',').map((p) => p.trim().split('=') as [string, string?]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t)) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const signed = encoder.encode(`${t}.${body}`);
  for (const [k, v] of parts) {
    const given = k === 'v1' && v ? hexToBytes(v) : undefined;
    // subtle.verify compares in constant time.
    if (given && (await crypto.subtle.verify('HMAC', key, given, signed))) return true;
  }
  return false;
}
