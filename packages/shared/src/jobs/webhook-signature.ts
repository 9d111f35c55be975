import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The header every webhook delivery carries, as Stripe's `Stripe-Signature`. */
export const WEBHOOK_SIGNATURE_HEADER = 'Trainyard-Signature';

/** A new signing secret, `whsec_` and 32 random bytes in hex. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('hex')}`;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the secret>`. */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/**
 * What a receiver does: true when `header` holds a `v1` signature of `body` by `secret`, made
 * within `toleranceSeconds` of `now` (default 5 minutes, against replays).
 */
export function verifyWebhook(
  secret: string,
  header: string | null | undefined,
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  if (!header) return false;
  const parts = header.split(',').map((p) => p.trim().split('=') as [string, string?]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t)) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, body, t).split('v1=')[1]!, 'hex');
  return parts
    .filter(([k, v]) => k === 'v1' && v)
    .some(([, v]) => {
      const given = Buffer.from(v!, 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}
