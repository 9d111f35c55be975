import { createColors } from 'picocolors';

/**
 * Colours for people at a terminal only: on when stdout is a TTY (or `FORCE_COLOR` is set), off
 * with `NO_COLOR` and whenever output is piped or captured. picocolors' own default also turns
 * them on under `CI`, which puts escape codes into piped output that scripts parse.
 */
export const pc = createColors(
  !process.env.NO_COLOR && (Boolean(process.stdout.isTTY) || Boolean(process.env.FORCE_COLOR)),
);
