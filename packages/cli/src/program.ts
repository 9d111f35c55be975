import { ConnectionError, TrainyardError } from '@trainyard/sdk';
import { Command, CommanderError } from 'commander';
import { registerDatasets } from './commands/datasets';
import { registerJobs } from './commands/jobs';
import { registerLogin } from './commands/login';
import { registerKeys, registerModels, registerPredict } from './commands/models';
import { registerWhoami } from './commands/whoami';
import { type Context, contextOf } from './context';
import { CliExit, EXIT } from './exit';

/** The `trainyard` program; `signal` aborts on Ctrl-C. Help works offline. */
export function createProgram(signal: AbortSignal): Command {
  const program = new Command('trainyard')
    .description('Datasets, fine-tuning jobs, models and predictions on a Trainyard platform')
    .option(
      '--api-url <url>',
      'the API (env TRAINYARD_API_URL; then `trainyard login`’s; then the local platform `npm start` is running, from its .trainyard/platform.json; default http://127.0.0.1:8787)',
    )
    .option(
      '--infer-url <url>',
      'the inference function (env TRAINYARD_INFER_URL; then `trainyard login`’s; then the running local platform’s, from .trainyard/platform.json; default: the API’s URL with port 8788 when the API is on 8787, else the API’s URL)',
    )
    .option(
      '--api-key <key>',
      'the API key (env TRAINYARD_API_KEY; then `trainyard login`’s; default: .trainyard/api-key)',
    )
    .option('--json', 'machine output: JSON, NDJSON for streams')
    .addHelpText(
      'after',
      `
Where it goes, first found wins: the flags; TRAINYARD_API_URL, TRAINYARD_INFER_URL,
TRAINYARD_API_KEY; the saved \`trainyard login\`; the local platform \`npm start\` is running, on
any port (its .trainyard/platform.json, from TRAINYARD_DATA_DIR or the current folder up, and its
api-key beside it); else http://127.0.0.1:8787 and, for predictions, :8788.
`,
    )
    .showHelpAfterError()
    .exitOverride();

  const run = (command: Command, fn: (ctx: Context, ...args: never[]) => Promise<void>) => {
    command.action(async (...args: unknown[]) => {
      const self = args.at(-1) as Command;
      await fn(contextOf(self, signal), ...(args.slice(0, -1) as never[]));
    });
  };
  registerDatasets(program, run);
  registerJobs(program, run);
  registerModels(program, run);
  registerPredict(program, run);
  registerKeys(program, run);
  registerLogin(program, run);
  registerWhoami(program, run);
  return program;
}

/** The exit code for what a run threw, after printing it on stderr. */
export function exitCodeFor(error: unknown, stderr: NodeJS.WriteStream = process.stderr): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof CliExit) {
    if (error.message) stderr.write(`${error.message}\n`);
    return error.code;
  }
  if (error instanceof TrainyardError) {
    const where = [
      error.status ? `${error.status} ${error.code}` : error.code,
      error.param ? `param ${error.param}` : undefined,
      error.requestId ? `request ${error.requestId}` : undefined,
    ].filter(Boolean);
    stderr.write(`error: ${error.message} (${where.join(', ')})\n`);
    if (error instanceof ConnectionError) {
      stderr.write(
        'Is the platform running there? `npm start` on any port is found by itself (its .trainyard/platform.json); elsewhere give --api-url/--infer-url or TRAINYARD_API_URL/TRAINYARD_INFER_URL (trainyard --help: the order)\n',
      );
    }
    if (error.status === 401) {
      stderr.write(
        'Set TRAINYARD_API_KEY or --api-key, or run trainyard login (npm start prints a key; .trainyard/api-key holds it)\n',
      );
    }
    return EXIT.failure;
  }
  stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.failure;
}
