import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processAlive } from './data-dir-lock';

describe('processAlive (is the holder of a data-dir lock still running?)', () => {
  it('says a zombie is not running: a killed process nobody has reaped yet', async () => {
    // `sleep 0` exits at once; its parent then becomes `sleep 5` (exec), which never waits for it,
    // so it stays a zombie while that runs.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const pid = Number(
        await new Promise<string>((resolve) =>
          parent.stdout.once('data', (d) => resolve(String(d))),
        ),
      );
      await expect.poll(() => processAlive(pid), { timeout: 3000 }).toBe(false);
      expect(() => process.kill(pid, 0)).not.toThrow(); // signal 0 still reaches it
      expect(processAlive(parent.pid!)).toBe(true);
      expect(processAlive(process.pid)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
