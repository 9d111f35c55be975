import { Trainyard } from '@trainyard/sdk';
import type { Command } from 'commander';
import { type GlobalFlags, resolveConfig } from './config';
import { Output } from './output';

/** What a command runs with: the client, the output, and Ctrl-C as an abort signal. */
export interface Context {
  readonly out: Output;
  /** Aborts on Ctrl-C: following stops (the job goes on), then the CLI exits 130. */
  readonly signal: AbortSignal;
  client(): Trainyard;
}

/** The context of one run of `command` (its own flags merged with the global ones). */
export function contextOf(command: Command, signal: AbortSignal): Context {
  const flags = command.optsWithGlobals() as GlobalFlags & { json?: boolean };
  const out = new Output(Boolean(flags.json));
  let client: Trainyard | undefined;
  return {
    out,
    signal,
    client() {
      if (!client) {
        const config = resolveConfig(flags);
        client = new Trainyard({
          baseUrl: config.apiUrl,
          ...(config.inferUrl ? { inferUrl: config.inferUrl } : {}),
          ...(config.apiKey ? { apiKey: config.apiKey } : {}),
        });
      }
      return client;
    },
  };
}
