import { type ChildProcess, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The lowest port the kernel hands out to `listen(0)` and outgoing connections (Linux: 32768). */
function ephemeralLow(): number {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    return Number.isInteger(low) && low > 20_000 ? low : 32_768;
  } catch {
    return 32_768; // macOS and Windows start theirs at 49152
  }
}

/** Whether `port` on 127.0.0.1 could be listened on just now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port nothing listens on at the moment of asking, on 127.0.0.1, for a process started later
 * (seconds later: `npm start`) to listen on. Drawn at random from 10000 up to the kernel's
 * ephemeral range, never from it: a port `listen(0)` gave back is the next one it may give to any
 * other test file's server running in parallel, which then held the port that `npm start` was
 * told to take (EADDRINUSE). Drawn with `crypto`, not `Math.random`, which a test may have seeded.
 */
export async function freePort(): Promise<number> {
  const high = ephemeralLow();
  for (;;) {
    const port = randomInt(10_000, high);
    if (await canListen(port)) return port;
  }
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
