import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, PermissionError } from '../errors';
import { keys, type Storage } from '../storage';
import { ApiKeyStore, apiKeyIdOf, RevokedApiKeyError } from './api-keys';

let storage: Storage;
let store: ApiKeyStore;
let dispose: () => Promise<void>;
beforeAll(async () => {
  const runtime = await isolatedRuntime('ty-keys');
  storage = runtime.storage;
  dispose = runtime.dispose;
  store = new ApiKeyStore(storage, 0);
});
afterAll(() => dispose());

describe('ApiKeyStore', () => {
  it('creates a key that verifies, and stores only its hash', async () => {
    const { key, secret } = await store.create('ci');
    expect(secret).toMatch(/^ty_[0-9a-z]{12}_/);
    expect(await store.verify(secret, 'api')).toMatchObject({
      id: key.id,
      name: 'ci',
      scopes: ['api', 'infer'],
    });
    const stored = Buffer.from(await storage.getBytes(keys.apiKey(key.id))).toString();
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice(16));
    expect(JSON.parse(stored).sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects unknown keys, a right id with a wrong secret, and revoked keys', async () => {
    const { key, secret } = await store.create('temp');
    await expect(
      store.verify('ty_000000000000_nope-nope-nope-nope-nope-nope-nope', 'api'),
    ).rejects.toBeInstanceOf(AuthenticationError);
    await expect(store.verify(`${secret.slice(0, -1)}X`, 'api')).rejects.toBeInstanceOf(
      AuthenticationError,
    );
    await store.revoke(key.id);
    await expect(store.verify(secret, 'api')).rejects.toThrow(/Invalid API key/);
    expect((await store.get(key.id)).revoked_at).toBeTypeOf('number');
  });

  it('limits a key to its scopes', async () => {
    const { secret } = await store.create('edge', ['infer']);
    await expect(store.verify(secret, 'infer')).resolves.toMatchObject({ scopes: ['infer'] });
    await expect(store.verify(secret, 'api')).rejects.toBeInstanceOf(PermissionError);
  });

  it('registers a key brought by the operator under an id derived from its hash', async () => {
    const secret = 'my-own-long-operator-key-123';
    const key = await store.register(secret, 'TRAINYARD_API_KEY');
    expect(key.id).toBe(apiKeyIdOf(secret));
    expect(await store.register(secret, 'again')).toEqual(key);
    await expect(store.verify(secret, 'api')).resolves.toMatchObject({ name: 'TRAINYARD_API_KEY' });
    expect((await store.list()).map((k) => k.id)).toContain(key.id);
  });

  it('never brings a revoked key back, nor replaces another key, by registering it again', async () => {
    const secret = 'operator-key-revoked-0123456789';
    const key = await store.register(secret, 'TRAINYARD_API_KEY');
    await store.revoke(key.id);
    await expect(store.register(secret, 'TRAINYARD_API_KEY')).rejects.toBeInstanceOf(
      RevokedApiKeyError,
    );
    await expect(store.verify(secret, 'api')).rejects.toBeInstanceOf(AuthenticationError);
    // A secret in the generated form that names an existing key's id is not that key.
    const { key: taken } = await store.create('taken');
    await expect(
      store.register(`ty_${taken.id}_${'x'.repeat(32)}`, 'impostor'),
    ).rejects.toMatchObject({ code: 'api_key_id_taken' });
  });
});
