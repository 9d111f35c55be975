import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const alive = async (pid: number, jobId: string): Promise<boolean> => {
  try {
    // Linux: the process's environment names its job, so a reused pid is never mistaken for it.
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
    return environ.split('\0').includes(`JOB_ID=${jobId}`);
  } catch {
    return false;
  }
};

/**
 * The pids of each running job in `<dir>/<job id>.pid`. A platform killed without a chance to
 * stop its children (kill -9, a power cut of the terminal) leaves them running; the next start
 * ends them before it runs their jobs again, so that no job ever has two trainers.
 */
export class PidFiles {
  constructor(private readonly dir: string) {}

  private file(jobId: string): string {
    return join(this.dir, `${jobId}.pid`);
  }

  async write(jobId: string, pids: readonly number[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.file(jobId), `${pids.join('\n')}\n`);
  }

  async remove(jobId: string): Promise<void> {
    await rm(this.file(jobId), { force: true });
  }

  /** Kills what is left of `jobId`'s trainers from an earlier run; resolves once they are gone. */
  async reap(jobId: string): Promise<number> {
    let text: string;
    try {
      text = await readFile(this.file(jobId), 'utf8');
    } catch {
      return 0;
    }
    let killed = 0;
    for (const pid of text.split('\n').filter(Boolean).map(Number)) {
      if (!(await alive(pid, jobId))) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        process.kill(pid, 'SIGKILL');
      }
      killed++;
      for (let i = 0; i < 100 && (await alive(pid, jobId)); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await this.remove(jobId);
    return killed;
  }
}
