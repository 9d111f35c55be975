import { parseArgs } from 'node:util';
import {
  apiKeyRoleSchema,
  DEFAULT_PROJECT,
  loadConfigOrExit,
  ValidationError,
} from '@trainyard/shared';
import { openLocalRuntime } from './open-runtime';

const USAGE = `Usage:
  npm run keys -- create [--name NAME] [--project PROJECT] [--role admin|member|inference]
  npm run keys -- list [--project PROJECT]
  npm run keys -- revoke KEY_ID
  npm run keys -- create-project NAME [--name ADMIN_KEY_NAME]
  npm run keys -- projects

Keys belong to one project (default: ${DEFAULT_PROJECT}) and have a role (default: admin here):
admin manages the project's keys, member works with datasets, jobs and models, inference
only predicts. create-project makes a project and prints its first admin key.`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    project: { type: 'string' },
    role: { type: 'string', default: 'admin' },
    help: { type: 'boolean', short: 'h' },
  },
});
const [command, arg] = positionals;
if (
  values.help ||
  !command ||
  !['create', 'list', 'revoke', 'create-project', 'projects'].includes(command) ||
  ((command === 'revoke' || command === 'create-project') && !arg)
) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 64);
}

// With the embedded store, its files are opened through a private server on a free port: this
// works whether or not `npm start` is running.
const runtime = await openLocalRuntime(loadConfigOrExit(), 'keys');
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

try {
  await runtime.projects.ensureDefault();
  await runtime.apiKeys.migrate();
  if (command === 'create') {
    const role = apiKeyRoleSchema.safeParse(values.role);
    if (!role.success)
      throw new ValidationError(
        `--role: expected admin, member or inference; received ${JSON.stringify(values.role)}`,
        { param: '--role' },
      );
    const project = await runtime.projects.get(values.project ?? DEFAULT_PROJECT);
    const { key, secret } = await runtime.apiKeys.create(values.name ?? 'cli', {
      project: project.id,
      role: role.data,
    });
    print({ ...key, secret });
  } else if (command === 'list') {
    for (const key of await runtime.apiKeys.list(values.project)) {
      const state = key.revoked_at === null ? 'active ' : 'revoked';
      process.stdout.write(
        `${key.id}  ${state}  …${key.last4}  ${key.project.padEnd(12)}  ${key.role.padEnd(9)}  ${key.operator ? 'operator  ' : ''}${key.name}\n`,
      );
    }
  } else if (command === 'create-project') {
    const project = await runtime.projects.create(arg!);
    const { key, secret } = await runtime.apiKeys.create(values.name ?? 'admin', {
      project: project.id,
      role: 'admin',
    });
    print({ project, admin_key: { ...key, secret } });
  } else if (command === 'projects') {
    for (const project of await runtime.projects.list()) process.stdout.write(`${project.id}\n`);
  } else {
    const key = await runtime.apiKeys.revoke(arg!);
    process.stdout.write(`revoked ${key.id} (${key.name}, project ${key.project})\n`);
  }
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await runtime.close();
}
