import { readFileSync, rmSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `<data dir>/platform.json`: where the running platform listens, so that the CLI and the SDK
 * find it on any port (`@trainyard/sdk`'s `readLocalPlatform` reads it; the name is the SDK's
 * `LOCAL_PLATFORM_FILE`, kept apart because the SDK is published without the platform).
 */
export const PLATFORM_FILE = 'platform.json';

/** What `platform.json` holds. */
export interface PlatformFile {
  /** The API's URL, e.g. `http://127.0.0.1:8787`. */
  readonly api_url: string;
  /** The inference function's URL. */
  readonly infer_url: string;
  /** This process: a file whose process is gone is stale (the platform was killed). */
  readonly pid: number;
  /** ISO 8601. */
  readonly started_at: string;
}

/**
 * Writes `platform.json` in `dataDir` (mode 0600) and returns a function that removes it, as
 * `close` does, unless another process has written it since (only its owner removes it). Throws the file system's error when the directory cannot be written.
 */
export async function writePlatformFile(
  dataDir: string,
  urls: { apiUrl: string; inferUrl: string },
): Promise<() => Promise<void>> {
  const file = join(dataDir, PLATFORM_FILE);
  const content: PlatformFile = {
    api_url: urls.apiUrl,
    infer_url: urls.inferUrl,
    pid: process.pid,
    started_at: new Date().toISOString(),
  };
  await writeFile(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  return async () => {
    const now = await readFile(file, 'utf8').catch(() => undefined);
    if (now === undefined) return;
    try {
      if ((JSON.parse(now) as Partial<PlatformFile>).pid !== process.pid) return;
    } catch {
      // Unreadable: not another platform's, remove it.
    }
    await rm(file, { force: true });
  };
}

/**
 * Removes `platform.json` from `dataDir` at once if this process wrote it: for an exit that does
 * not run `close` (the embedded store gave up, `process.exit(1)`), so that the CLI and the SDK do
 * not find a platform that is gone. Never throws.
 */
export function removeOwnPlatformFileSync(dataDir: string): void {
  const file = join(dataDir, PLATFORM_FILE);
  try {
    const now = JSON.parse(readFileSync(file, 'utf8')) as Partial<PlatformFile>;
    if (now.pid === process.pid) rmSync(file, { force: true });
  } catch {
    // Missing or unreadable: nothing of ours to remove.
  }
}
