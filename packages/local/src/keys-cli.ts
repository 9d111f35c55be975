import { parseArgs } from 'node:util';
import { apiKeyScopeSchema, loadConfigOrExit, ValidationError } from '@trainyard/shared';
import { openLocalRuntime } from './open-runtime';

const USAGE = `Usage:
  npm run keys -- create [--name NAME] [--scope api] [--scope infer]
  npm run keys -- list
  npm run keys -- revoke KEY_ID`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string', default: 'cli' },
    scope: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
});
const [command, id] = positionals;
if (
  values.help ||
  !command ||
  !['create', 'list', 'revoke'].includes(command) ||
  (command === 'revoke' && !id)
) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 64);
}

// With the embedded store, its files are opened through a private server on a free port: this
// works whether or not `npm start` is running.
const runtime = await openLocalRuntime(loadConfigOrExit(), 'keys');

try {
  if (command === 'create') {
    const scopes = (values.scope ?? ['api', 'infer']).map((s) => {
      const parsed = apiKeyScopeSchema.safeParse(s);
      if (!parsed.success)
        throw new ValidationError(`--scope: expected api or infer; received ${JSON.stringify(s)}`, {
          param: '--scope',
        });
      return parsed.data;
    });
    const { key, secret } = await runtime.apiKeys.create(values.name!, scopes);
    process.stdout.write(`${JSON.stringify({ ...key, secret }, null, 2)}\n`);
  } else if (command === 'list') {
    for (const key of await runtime.apiKeys.list()) {
      const state = key.revoked_at === null ? 'active ' : 'revoked';
      process.stdout.write(
        `${key.id}  ${state}  …${key.last4}  ${key.scopes.join(',').padEnd(9)}  ${key.name}\n`,
      );
    }
  } else {
    const key = await runtime.apiKeys.revoke(id!);
    process.stdout.write(`revoked ${key.id} (${key.name})\n`);
  }
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await runtime.close();
}
