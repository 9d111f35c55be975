import { createHash } from 'node:crypto';
import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, NotFoundError, PermissionError } from '../errors';
import { keys, type Storage } from '../storage';
import { ApiKeyStore, apiKeyIdOf, RevokedApiKeyError } from './api-keys';
import { assertRole, roleAllows } from './roles';

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
    expect(await store.verify(secret)).toMatchObject({
      id: key.id,
      name: 'ci',
      project: 'default',
      role: 'admin',
      operator: false,
    });
    const stored = Buffer.from(await storage.getBytes(keys.apiKey(key.id))).toString();
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice(16));
    expect(JSON.parse(stored).sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects unknown keys, a right id with a wrong secret, and revoked keys', async () => {
    const { key, secret } = await store.create('temp');
    // A different last character, whatever the random secret ends with.
    const wrongSecret = `${secret.slice(0, -1)}${secret.endsWith('X') ? 'Y' : 'X'}`;
    await expect(
      store.verify('ty_000000000000_nope-nope-nope-nope-nope-nope-nope'),
    ).rejects.toBeInstanceOf(AuthenticationError);
    await expect(store.verify(wrongSecret)).rejects.toBeInstanceOf(AuthenticationError);
    await store.revoke(key.id);
    await expect(store.verify(secret)).rejects.toThrow(/Invalid API key/);
    expect((await store.get(key.id)).revoked_at).toBeTypeOf('number');
  });

  it('keeps a key to its project: another project lists, shows and revokes none of it', async () => {
    const { key, secret } = await store.create('edge', { project: 'team-b', role: 'inference' });
    await expect(store.verify(secret)).resolves.toMatchObject({
      project: 'team-b',
      role: 'inference',
    });
    expect((await store.list('default')).map((k) => k.id)).not.toContain(key.id);
    expect((await store.list('team-b')).map((k) => k.id)).toEqual([key.id]);
    await expect(store.get(key.id, 'default')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.revoke(key.id, 'default')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.verify(secret)).resolves.toMatchObject({ revoked_at: null });
  });

  it('reads a key from before projects as an admin (or inference) key of the default project, and migrates it', async () => {
    const legacy = (scopes: string[], id: string) => ({
      id,
      name: `legacy-${id}`,
      sha256: createHash('sha256')
        .update(`ty_${id}_${'s'.repeat(32)}`)
        .digest('hex'),
      last4: 'ssss',
      scopes,
      created_at: 1,
      revoked_at: null,
    });
    await storage.putJson(keys.apiKey('legacyadmin1'), legacy(['api', 'infer'], 'legacyadmin1'));
    await storage.putJson(keys.apiKey('legacyinfer1'), legacy(['infer'], 'legacyinfer1'));
    await expect(store.verify(`ty_legacyadmin1_${'s'.repeat(32)}`)).resolves.toMatchObject({
      project: 'default',
      role: 'admin',
    });
    expect(await store.migrate()).toEqual(expect.arrayContaining(['legacyadmin1', 'legacyinfer1']));
    const stored = JSON.parse(
      Buffer.from(await storage.getBytes(keys.apiKey('legacyinfer1'))).toString(),
    );
    expect(stored).toMatchObject({ project: 'default', role: 'inference', operator: false });
    expect(stored.scopes).toBeUndefined();
    expect(await store.migrate()).toEqual([]);
  });

  it('refuses a role below the one needed with a 403 naming both', () => {
    expect(roleAllows('admin', 'member')).toBe(true);
    expect(roleAllows('member', 'inference')).toBe(true);
    expect(roleAllows('inference', 'member')).toBe(false);
    expect(() => assertRole('member', 'admin', 'POST /v1/api-keys')).toThrow(
      'POST /v1/api-keys needs an API key with the admin role; this key has the member role',
    );
    expect(() => assertRole('member', 'admin', 'x')).toThrow(PermissionError);
  });

  it('registers a key brought by the operator under an id derived from its hash', async () => {
    const secret = 'my-own-long-operator-key-123';
    const key = await store.register(secret, 'TRAINYARD_API_KEY');
    expect(key.id).toBe(apiKeyIdOf(secret));
    expect(await store.register(secret, 'again')).toEqual(key);
    await expect(store.verify(secret)).resolves.toMatchObject({ name: 'TRAINYARD_API_KEY' });
    expect((await store.list()).map((k) => k.id)).toContain(key.id);
  });

  it('never brings a revoked key back, nor replaces another key, by registering it again', async () => {
    const secret = 'operator-key-revoked-0123456789';
    const key = await store.register(secret, 'TRAINYARD_API_KEY');
    await store.revoke(key.id);
    await expect(store.register(secret, 'TRAINYARD_API_KEY')).rejects.toBeInstanceOf(
      RevokedApiKeyError,
    );
    await expect(store.verify(secret)).rejects.toBeInstanceOf(AuthenticationError);
    // A secret in the generated form that names an existing key's id is not that key.
    const { key: taken } = await store.create('taken');
    await expect(
      store.register(`ty_${taken.id}_${'x'.repeat(32)}`, 'impostor'),
    ).rejects.toMatchObject({ code: 'api_key_id_taken' });
  });
});
