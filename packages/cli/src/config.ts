import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_API_URL, readLocalPlatform } from '@trainyard/sdk';

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

/** What `trainyard login` saves. */
export interface SavedConfig {
  readonly api_url: string;
  readonly api_key: string;
  readonly infer_url?: string;
}

/** `$TRAINYARD_CONFIG`, else `~/.config/trainyard/config.json`. */
export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.TRAINYARD_CONFIG
    ? resolve(env.TRAINYARD_CONFIG)
    : join(homedir(), '.config', 'trainyard', 'config.json');
}

/** The saved login, or undefined when there is none (or it is not a login's JSON). */
export function readSavedConfig(file: string): SavedConfig | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<SavedConfig>;
    if (typeof saved.api_url !== 'string' || typeof saved.api_key !== 'string') return undefined;
    return {
      api_url: saved.api_url,
      api_key: saved.api_key,
      ...(typeof saved.infer_url === 'string' ? { infer_url: saved.infer_url } : {}),
    };
  } catch {
    return undefined;
  }
}

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/**
 * Flags first, then `TRAINYARD_API_URL` / `TRAINYARD_INFER_URL` / `TRAINYARD_API_KEY`, then the
 * login saved by `trainyard login` (its key only goes to its own API URL), then the local
 * platform `npm start` is running (the URLs in its `.trainyard/platform.json`, on whatever ports
 * it listens), then http://127.0.0.1:8787 and :8788; the key of the local platform is its
 * `.trainyard/api-key`.
 */
export function resolveConfig(
  flags: GlobalFlags,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): CliConfig {
  const savedFile = configFile(env);
  const saved = readSavedConfig(savedFile);
  const given = flags.apiUrl ?? env.TRAINYARD_API_URL ?? saved?.api_url;
  const local = given ? undefined : readLocalPlatform(env, cwd);
  const apiUrl = given ?? local?.apiUrl ?? DEFAULT_API_URL;
  const login = saved && sameUrl(saved.api_url, apiUrl) ? saved : undefined;
  const inferUrl = flags.inferUrl ?? env.TRAINYARD_INFER_URL ?? login?.infer_url ?? local?.inferUrl;
  if (flags.apiKey) return { apiUrl, inferUrl, apiKey: flags.apiKey, apiKeySource: '--api-key' };
  if (env.TRAINYARD_API_KEY) {
    return { apiUrl, inferUrl, apiKey: env.TRAINYARD_API_KEY, apiKeySource: 'TRAINYARD_API_KEY' };
  }
  if (login) return { apiUrl, inferUrl, apiKey: login.api_key, apiKeySource: savedFile };
  const file = localKeyFile(env, cwd);
  const key = file && existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  return { apiUrl, inferUrl, apiKey: key || undefined, apiKeySource: file ?? 'none' };
}
