/** The CLI's exit codes: stable, for scripts. */
export const EXIT = {
  ok: 0,
  /** A call failed, a dataset is invalid, a file is missing. */
  failure: 1,
  /** Bad flags or arguments. */
  usage: 2,
  /** The followed job ended failed or cancelled. */
  jobFailed: 3,
  /** Ctrl-C. */
  interrupted: 130,
} as const;

/** Ends the command with `code` after `message` (on stderr) has been printed. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
  }
}

/** A usage error: exit 2 with the message. */
export const usage = (message: string) => new CliExit(EXIT.usage, message);
