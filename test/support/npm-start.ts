import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A port nothing listens on at the moment of asking, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * `npm start` in `cwd` with `env`, in a process group of its own (so that `ctrlC` reaches every
 * process, as a terminal's Ctrl-C does), once its banner says it is up (within 60 s; throws with
 * what it printed when it exits or does not come up). `output()` is everything it printed so far.
 */
export async function npmStart(
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn('npm', ['start'], {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const deadline = Date.now() + 60_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null) {
      throw new Error(`npm start exited:\n${output}`);
    }
    if (Date.now() > deadline) {
      process.kill(-child.pid!, 'SIGKILL');
      throw new Error(`npm start did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output };
}

/** SIGINT to `child`'s whole process group, as Ctrl-C in a terminal; resolves once it closed. */
export async function ctrlC(child: ChildProcess): Promise<void> {
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  process.kill(-child.pid!, 'SIGINT');
  await closed;
}
