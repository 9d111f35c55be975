/** The file `npm start` writes in its data directory while it runs: where it listens. */
export const LOCAL_PLATFORM_FILE = 'platform.json';

/** Where a running local platform (`npm start`) listens, as read from its `platform.json`. */
export interface LocalPlatform {
  /** The API, e.g. `http://127.0.0.1:18787`. */
  readonly apiUrl: string;
  /** The inference function, e.g. `http://127.0.0.1:18788`. */
  readonly inferUrl: string;
  /** The file it was read from. */
  readonly file: string;
}

type NodeFs = typeof import('node:fs');
type NodePath = typeof import('node:path');

/** Node's process, read from `globalThis` so that this module also loads in browsers. */
const nodeProcess = (): NodeJS.Process | undefined =>
  (globalThis as { process?: NodeJS.Process }).process;

/** Node's `fs` and `path` without importing them, so this module also loads in browsers. */
function nodeModules(): { fs: NodeFs; path: NodePath; proc: NodeJS.Process } | undefined {
  const proc = nodeProcess();
  if (typeof proc?.getBuiltinModule !== 'function') return undefined;
  return { fs: proc.getBuiltinModule('node:fs'), path: proc.getBuiltinModule('node:path'), proc };
}

/** Whether process `pid` is alive (EPERM: alive, another user's). */
function alive(proc: NodeJS.Process, pid: number): boolean {
  try {
    proc.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The local platform `npm start` runs, from `$TRAINYARD_DATA_DIR/platform.json`, else the nearest
 * `.trainyard/platform.json` from `cwd` up (where `npm start` in the repository writes it).
 * Undefined outside Node, when there is no such file, when it is not the platform's JSON, or when
 * it is stale: `npm start` removes it when it stops, and a file left by one that was killed names
 * a process that is gone. Never throws.
 */
export function readLocalPlatform(
  env: Record<string, string | undefined> = (globalThis as { process?: NodeJS.Process }).process
    ?.env ?? {},
  cwd?: string,
): LocalPlatform | undefined {
  const node = nodeModules();
  if (!node) return undefined;
  const { fs, path, proc } = node;
  try {
    const from = cwd ?? proc.cwd();
    let file: string | undefined;
    if (env.TRAINYARD_DATA_DIR) {
      file = path.join(path.resolve(from, env.TRAINYARD_DATA_DIR), LOCAL_PLATFORM_FILE);
    } else {
      for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, '.trainyard', LOCAL_PLATFORM_FILE);
        if (fs.existsSync(candidate)) {
          file = candidate;
          break;
        }
        if (path.dirname(dir) === dir) break;
      }
    }
    if (!file || !fs.existsSync(file)) return undefined;
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    const { api_url: apiUrl, infer_url: inferUrl, pid } = saved;
    if (typeof apiUrl !== 'string' || typeof inferUrl !== 'string') return undefined;
    if (typeof pid === 'number' && !alive(proc, pid)) return undefined;
    return { apiUrl, inferUrl, file };
  } catch {
    return undefined;
  }
}
