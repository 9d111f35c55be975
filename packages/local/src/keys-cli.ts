import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  apiKeyScopeSchema,
  createRuntime,
  loadConfigOrExit,
  ValidationError,
} from '@trainyard/shared';
import { embeddedS3CredentialFile, startEmbeddedS3 } from './embedded-s3';

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

const config = loadConfigOrExit();
// With the embedded store, open its files through a private server on a free port: this works
// whether or not `npm start` is running.
const embedded = config.s3.embedded
  ? await startEmbeddedS3({
      directory: join(config.dataDir, 's3'),
      credentialFile: embeddedS3CredentialFile(config.dataDir),
      bucket: config.s3.bucket,
      port: 0,
    })
  : undefined;
const runtime = createRuntime(
  embedded
    ? {
        ...config,
        s3: { ...config.s3, endpoint: embedded.endpoint, credentials: embedded.credential },
      }
    : config,
  'keys',
);

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
  await embedded?.close();
}
