import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DEFAULT_API_URL, Trainyard } from '@trainyard/sdk';
import type { Command } from 'commander';
import { configFile, type GlobalFlags, type SavedConfig } from '../config';
import type { Context } from '../context';
import { usage } from '../exit';

type Run = (command: Command, fn: (ctx: Context, ...args: never[]) => Promise<void>) => void;

export function registerLogin(program: Command, run: Run): void {
  run(
    program
      .command('login')
      .description(
        'Check an API key and save it with its API URL (TRAINYARD_CONFIG, default ~/.config/trainyard/config.json)',
      ),
    async (ctx) => {
      const flags = program.opts() as GlobalFlags;
      const apiKey = flags.apiKey ?? process.env.TRAINYARD_API_KEY;
      if (!apiKey) throw usage('Give the key: trainyard login --api-url URL --api-key KEY');
      const apiUrl = (flags.apiUrl ?? process.env.TRAINYARD_API_URL ?? DEFAULT_API_URL).replace(
        /\/+$/,
        '',
      );
      const inferUrl = flags.inferUrl ?? process.env.TRAINYARD_INFER_URL;
      const client = new Trainyard({
        baseUrl: apiUrl,
        apiKey,
        ...(inferUrl ? { inferUrl } : {}),
        maxRetries: 0,
      });
      // A wrong key or URL fails here (nothing is saved); every role may ask this.
      const { project, key } = await client.projects.current();
      const saved: SavedConfig = {
        api_url: apiUrl,
        api_key: apiKey,
        ...(inferUrl ? { infer_url: inferUrl } : {}),
      };
      const file = configFile();
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await writeFile(file, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
      await chmod(file, 0o600); // a file that was already there keeps its old mode otherwise
      ctx.out.record(
        { logged_in: apiUrl, project: project.id, role: key.role, config: file },
        { api_url: apiUrl, project: project.id, role: key.role, config: file },
      );
    },
  );

  run(
    program.command('logout').description('Forget the saved key (remove the config file)'),
    async (ctx) => {
      const file = configFile();
      await rm(file, { force: true });
      ctx.out.record({ logged_out: file }, { config: file, removed: true });
    },
  );
}
