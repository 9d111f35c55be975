import { spawn } from 'node:child_process';

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The end of what it wrote to stderr, for the crash message. */
  readonly stderrTail: string;
}

export interface TrainerProcess {
  readonly pid: number;
  readonly exited: Promise<ChildExit>;
  /** SIGTERM to its process group, then SIGKILL after `graceMs` if it is still there. */
  terminate(graceMs: number): void;
}

export interface SpawnOptions {
  readonly command: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where its output goes: this process's stdout/stderr (`inherit`) or nowhere. */
  readonly output: 'inherit' | 'ignore';
}

const TAIL = 2000;

/**
 * Starts one trainer process in a process group of its own: Ctrl-C in a terminal reaches only
 * the platform, which stops its children in order (and records that), instead of every child
 * dying at once with the platform not knowing why.
 */
export function spawnTrainer({ command, cwd, env, output }: SpawnOptions): TrainerProcess {
  const [file, ...args] = command;
  const child = spawn(file!, args, {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', output === 'inherit' ? 'inherit' : 'ignore', 'pipe'],
  });
  let stderrTail = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (output === 'inherit') process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-TAIL);
  });
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('error', (error) =>
      resolve({ code: 127, signal: null, stderrTail: `${stderrTail}${error.message}` }),
    );
    child.once('close', (code, signal) => resolve({ code, signal, stderrTail }));
  });
  let killTimer: NodeJS.Timeout | undefined;
  void exited.then(() => clearTimeout(killTimer));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  return {
    pid: child.pid ?? -1,
    exited,
    terminate(graceMs) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup('SIGTERM');
      clearTimeout(killTimer);
      killTimer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    },
  };
}
