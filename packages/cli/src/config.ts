import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_API_URL } from '@trainyard/sdk';

/** Where the CLI talks to and as whom. */
export interface CliConfig {
  readonly apiUrl: string;
  /** Undefined: the SDK's default (the API URL with port 8788 for the local platform). */
  readonly inferUrl: string | undefined;
  readonly apiKey: string | undefined;
  /** Where the key came from, for error messages. */
  readonly apiKeySource: string;
}

/** The global flags every command takes. */
export interface GlobalFlags {
  readonly apiUrl?: string;
  readonly inferUrl?: string;
  readonly apiKey?: string;
}

/**
 * The local platform's key file: `$TRAINYARD_DATA_DIR/api-key`, else the nearest
 * `.trainyard/api-key` from `cwd` up (what `npm start` writes in the repo).
 */
export function localKeyFile(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (env.TRAINYARD_DATA_DIR) return join(resolve(cwd, env.TRAINYARD_DATA_DIR), 'api-key');
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, '.trainyard', 'api-key');
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Flags first, then `TRAINYARD_API_URL` / `TRAINYARD_INFER_URL` / `TRAINYARD_API_KEY`, then
 * the local platform: http://127.0.0.1:8787 and its `.trainyard/api-key`.
 */
export function resolveConfig(
  flags: GlobalFlags,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): CliConfig {
  const apiUrl = flags.apiUrl ?? env.TRAINYARD_API_URL ?? DEFAULT_API_URL;
  const inferUrl = flags.inferUrl ?? env.TRAINYARD_INFER_URL;
  if (flags.apiKey) return { apiUrl, inferUrl, apiKey: flags.apiKey, apiKeySource: '--api-key' };
  if (env.TRAINYARD_API_KEY) {
    return { apiUrl, inferUrl, apiKey: env.TRAINYARD_API_KEY, apiKeySource: 'TRAINYARD_API_KEY' };
  }
  const file = localKeyFile(env, cwd);
  const key = file ? readFileSync(file, 'utf8').trim() : undefined;
  return { apiUrl, inferUrl, apiKey: key || undefined, apiKeySource: file ?? 'none' };
}
