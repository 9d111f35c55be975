import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PLATFORM_FILE, removeOwnPlatformFileSync, writePlatformFile } from './platform-file';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('platform.json on an exit that skips close', () => {
  it('is removed at once when this process wrote it, and left when another platform did', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trainyard-platform-file-'));
    dirs.push(dir);
    const file = join(dir, PLATFORM_FILE);
    await writePlatformFile(dir, { apiUrl: 'http://127.0.0.1:1', inferUrl: 'http://127.0.0.1:2' });
    expect(existsSync(file)).toBe(true);
    removeOwnPlatformFileSync(dir);
    expect(existsSync(file)).toBe(false);

    const other = {
      api_url: 'http://127.0.0.1:3',
      infer_url: 'http://127.0.0.1:4',
      pid: process.pid + 1,
    };
    await writeFile(file, JSON.stringify(other));
    removeOwnPlatformFileSync(dir);
    expect(existsSync(file)).toBe(true);
    // Missing or unreadable files are not an error.
    await writeFile(file, '{not json');
    expect(() => removeOwnPlatformFileSync(dir)).not.toThrow();
    await rm(file);
    expect(() => removeOwnPlatformFileSync(dir)).not.toThrow();
  });
});
