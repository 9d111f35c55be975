import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

/** The console's session cookie: HttpOnly, SameSite=Strict, sealed (AES-256-GCM). */
export const SESSION_COOKIE = 'trainyard_session';
/** How long a session lasts after sign-in: 12 hours. */
export const SESSION_SECONDS = 12 * 60 * 60;

interface SessionPayload {
  /** The API key the person signed in with: every panel calls the API with it. */
  readonly key: string;
  /** Expiry, Unix seconds. */
  readonly exp: number;
}

/**
 * Seals and opens console sessions. The cookie holds the API key encrypted and authenticated with
 * a key derived from `secret` (SHA-256), so a client can neither read nor forge one; nothing is
 * stored on the server. Without a secret, a random one per process: sessions end with it.
 */
export class SessionSealer {
  private readonly key: Buffer;

  constructor(secret: string | undefined) {
    this.key = secret ? createHash('sha256').update(secret).digest() : randomBytes(32);
  }

  seal(apiKey: string, now = Date.now()): string {
    const payload: SessionPayload = { key: apiKey, exp: Math.floor(now / 1000) + SESSION_SECONDS };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  /** The API key of a sealed session; undefined when it is forged, damaged or expired. */
  open(value: string | undefined, now = Date.now()): string | undefined {
    if (!value) return undefined;
    try {
      const raw = Buffer.from(value, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
      const payload = JSON.parse(text.toString('utf8')) as SessionPayload;
      return payload.exp > now / 1000 && typeof payload.key === 'string' ? payload.key : undefined;
    } catch {
      return undefined; // a cookie that does not open is no session
    }
  }
}

const secure = (c: Context) =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';

/** Sets the session cookie for `apiKey`; never readable by scripts, never sent cross-site. */
export function startSession(c: Context, sealer: SessionSealer, apiKey: string): void {
  setCookie(c, SESSION_COOKIE, sealer.seal(apiKey), {
    httpOnly: true,
    sameSite: 'Strict',
    secure: secure(c),
    path: '/',
    maxAge: SESSION_SECONDS,
  });
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secure(c) });
}

/** The signed-in API key, or undefined. */
export function sessionKey(c: Context, sealer: SessionSealer): string | undefined {
  return sealer.open(getCookie(c, SESSION_COOKIE));
}

/**
 * A state-changing request comes from the console's own pages: its `Origin` (or, lacking one,
 * `Referer`) names this server. With SameSite=Strict this closes cross-site form posts.
 */
export function sameOrigin(c: Context): boolean {
  const own = new URL(c.req.url);
  const forwardedHost = c.req.header('x-forwarded-host');
  const origins = new Set([own.origin]);
  if (forwardedHost) origins.add(`${secure(c) ? 'https' : 'http'}://${forwardedHost}`);
  const origin = c.req.header('origin');
  if (origin) return origins.has(origin);
  const referer = c.req.header('referer');
  if (!referer) return false;
  try {
    return origins.has(new URL(referer).origin);
  } catch {
    return false;
  }
}
