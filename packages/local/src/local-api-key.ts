import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthenticationError, type Runtime } from '@trainyard/shared';

export interface LocalApiKey {
  readonly secret: string;
  /** Where it came from: the environment, the data directory, or made just now. */
  readonly source: 'env' | 'file' | 'created';
  readonly file: string;
}

/**
 * The key a local developer uses: `TRAINYARD_API_KEY` when set (its hash is registered), else the
 * one kept in `<data dir>/api-key`, else a new one written there (mode 0600).
 */
export async function ensureLocalApiKey(runtime: Runtime): Promise<LocalApiKey> {
  const file = join(runtime.config.dataDir, 'api-key');
  if (runtime.config.apiKey) {
    await runtime.apiKeys.register(runtime.config.apiKey, 'TRAINYARD_API_KEY');
    return { secret: runtime.config.apiKey, source: 'env', file };
  }
  const saved = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if (saved) {
    try {
      await runtime.apiKeys.verify(saved, 'api');
      return { secret: saved, source: 'file', file };
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      // Revoked, or the bucket was wiped: make a new one below.
    }
  }
  const { secret } = await runtime.apiKeys.create('local');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { secret, source: 'created', file };
}
