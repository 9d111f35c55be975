import type { Command } from 'commander';
import type { Context } from '../context';

type Run = (command: Command, fn: (ctx: Context, ...args: never[]) => Promise<void>) => void;

/** `trainyard whoami`: the key's project and role (`GET /v1/projects/current`). */
export function registerWhoami(program: Command, run: Run): void {
  run(
    program
      .command('whoami')
      .description('Show the project and role of the API key in use (works for every role)'),
    async (ctx) => {
      const current = await ctx.client().projects.current();
      const { key, project } = current;
      ctx.out.record(
        {
          project: project.id,
          role: key.role,
          key: `${key.id} (${key.name}, …${key.last4})`,
          ...(key.operator ? { operator: 'yes: this key may create projects' } : {}),
        },
        current,
      );
    },
  );
}
