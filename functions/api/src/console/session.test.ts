import { describe, expect, it } from 'vitest';
import { SESSION_SECONDS, SessionSealer } from './session';

describe('SessionSealer', () => {
  const sealer = new SessionSealer('a secret of at least thirty-two characters');

  it('opens what it sealed, and the cookie does not show the key', () => {
    const sealed = sealer.seal('ty_secret_api_key_123');
    expect(sealed).not.toContain('ty_secret');
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('ty_secret');
    expect(sealer.open(sealed)).toBe('ty_secret_api_key_123');
  });

  it('refuses a tampered, foreign or expired cookie', () => {
    const sealed = sealer.seal('ty_key');
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    expect(sealer.open(bytes.toString('base64url'))).toBeUndefined();
    expect(new SessionSealer('another secret, also thirty-two chars').open(sealed)).toBeUndefined();
    const now = Date.now();
    const old = sealer.seal('ty_key', now);
    expect(sealer.open(old, now + (SESSION_SECONDS - 1) * 1000)).toBe('ty_key');
    expect(sealer.open(old, now + (SESSION_SECONDS + 1) * 1000)).toBeUndefined();
    expect(sealer.open('not-base64!')).toBeUndefined();
    expect(sealer.open(undefined)).toBeUndefined();
  });

  it('without a secret, seals with a random key of its own', () => {
    const a = new SessionSealer(undefined);
    const b = new SessionSealer(undefined);
    expect(a.open(a.seal('k'))).toBe('k');
    expect(b.open(a.seal('k'))).toBeUndefined();
  });
});
