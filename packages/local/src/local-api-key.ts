import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AuthenticationError,
  DEFAULT_PROJECT,
  RevokedApiKeyError,
  type Runtime,
} from '@trainyard/shared';

const OPERATOR = { project: DEFAULT_PROJECT, role: 'admin', operator: true } as const;

export interface LocalApiKey {
  /** The key; undefined when `TRAINYARD_API_KEY` names a revoked key (it stays revoked). */
  readonly secret: string | undefined;
  /**
   * Where it came from: the environment, the data directory, made just now, or the environment
   * with a key that was revoked (`env_revoked`: the platform starts, that key answers 401).
   */
  readonly source: 'env' | 'file' | 'created' | 'env_revoked';
  readonly file: string;
}

/**
 * The key a local developer uses: `TRAINYARD_API_KEY` when set (its hash is registered; once
 * revoked it stays revoked across restarts), else the one kept in `<data dir>/api-key`, else a
 * new one written there (mode 0600). It is the operator's key: an admin of the default project
 * that may also create projects (a key from before projects is made the operator's here).
 */
export async function ensureLocalApiKey(runtime: Runtime): Promise<LocalApiKey> {
  const file = join(runtime.config.dataDir, 'api-key');
  if (runtime.config.apiKey) {
    try {
      await runtime.apiKeys.register(runtime.config.apiKey, 'TRAINYARD_API_KEY', OPERATOR);
    } catch (error) {
      if (!(error instanceof RevokedApiKeyError)) throw error;
      return { secret: undefined, source: 'env_revoked', file };
    }
    return { secret: runtime.config.apiKey, source: 'env', file };
  }
  const saved = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if (saved) {
    try {
      const key = await runtime.apiKeys.verify(saved);
      if (!key.operator) await runtime.apiKeys.register(saved, key.name, OPERATOR);
      return { secret: saved, source: 'file', file };
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      // Revoked, or the bucket was wiped: make a new one below.
    }
  }
  const { secret } = await runtime.apiKeys.create('local', OPERATOR);
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { secret, source: 'created', file };
}
