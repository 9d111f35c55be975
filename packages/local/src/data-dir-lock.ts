import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError } from '@trainyard/shared';
import lockfile from 'proper-lockfile';
import { PLATFORM_FILE, type PlatformFile } from './platform-file';

/** `<data dir>/platform.lock`: the directory `proper-lockfile` holds while a platform runs. */
const LOCK_DIR = 'platform.lock';
/** `<data dir>/platform.owner.json`: `{ pid, started_at }` of the lock's holder. */
const OWNER_FILE = 'platform.owner.json';
/** A lock not renewed for this long (ms) is stale (its holder hung or died elsewhere). */
const STALE_MS = 30_000;

/** Thrown when another live platform holds the data directory; `npm start` exits 1 with it. */
export class DataDirLockedError extends ConflictError {
  constructor(message: string) {
    super(message, { code: 'data_dir_locked' });
  }
}

/**
 * Whether process `pid` still runs. A killed process whose parent died too stays a zombie until
 * init reaps it, and signal 0 still reaches a zombie: on Linux its state in `/proc/<pid>/stat`
 * (`Z`, or `X` while it is removed) says it is dead, so its lock does not hold off the next start.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    // No /proc (not Linux), or it ended meanwhile: signal 0 said it was there.
    return !existsSync('/proc');
  }
}

async function readJson<T>(file: string): Promise<Partial<T> | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Partial<T>;
  } catch {
    return undefined;
  }
}

async function tryLock(dataDir: string, onCompromised: (error: Error) => void) {
  return lockfile.lock(dataDir, {
    lockfilePath: join(dataDir, LOCK_DIR),
    stale: STALE_MS,
    realpath: false,
    onCompromised,
  });
}

/**
 * Makes this process the only platform on `dataDir` (which must exist): holds
 * `<dataDir>/platform.lock` (renewed every 15 s by `proper-lockfile`) and records this pid in
 * `platform.owner.json`. A lock whose holder's pid is gone (a SIGKILLed platform), or that was
 * not renewed for 30 s, is taken over. Returns the release function (`close` calls it last).
 * Throws `DataDirLockedError` naming the data directory, the running platform's pid and API URL
 * (from its `platform.json`) and how to run a second platform (another `TRAINYARD_DATA_DIR`).
 * `onCompromised` is called when the lock is lost while running (its directory removed by hand).
 */
export async function lockDataDir(
  dataDir: string,
  onCompromised: (error: Error) => void,
): Promise<() => Promise<void>> {
  const ownerFile = join(dataDir, OWNER_FILE);
  let release: () => Promise<void>;
  try {
    release = await tryLock(dataDir, onCompromised);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const owner = await readJson<{ pid: number }>(ownerFile);
    if (typeof owner?.pid === 'number' && owner.pid !== process.pid && !processAlive(owner.pid)) {
      // Its holder was killed before it could let go (SIGKILL, a crash): the lock is stale.
      await rm(join(dataDir, LOCK_DIR), { recursive: true, force: true });
      release = await tryLock(dataDir, onCompromised).catch(async (again) => {
        if ((again as NodeJS.ErrnoException).code !== 'ELOCKED') throw again;
        throw await lockedError(dataDir, await readJson<{ pid: number }>(ownerFile));
      });
    } else {
      throw await lockedError(dataDir, owner);
    }
  }
  await writeFile(
    ownerFile,
    `${JSON.stringify({ pid: process.pid, started_at: new Date().toISOString() })}\n`,
    { mode: 0o600 },
  );
  return async () => {
    await rm(ownerFile, { force: true });
    await release().catch(() => {});
  };
}

async function lockedError(
  dataDir: string,
  owner: { pid?: number } | undefined,
): Promise<DataDirLockedError> {
  const platform = await readJson<PlatformFile>(join(dataDir, PLATFORM_FILE));
  const pid = owner?.pid ?? platform?.pid;
  const where =
    platform?.api_url && (pid === undefined || platform.pid === pid)
      ? `, API ${platform.api_url}`
      : ' (still starting)';
  return new DataDirLockedError(
    `another Trainyard platform is already running on the data directory ${dataDir} ` +
      `(pid ${pid ?? 'unknown'}${where}). Use that one, stop it first, or run a second platform ` +
      `on a data directory of its own: TRAINYARD_DATA_DIR=/another/dir API_PORT=... INFER_PORT=... ` +
      `EMBEDDED_S3_PORT=... npm start`,
  );
}
