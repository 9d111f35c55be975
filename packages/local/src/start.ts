import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@trainyard/shared';
import { startHelp } from './start-help';

// `npm start -- --help` prints what it does and exits before anything starts; any other argument
// is a usage error (exit 2), since everything else is configured by environment variables.
const args = (() => {
  try {
    return parseArgs({ options: { help: { type: 'boolean', short: 'h' } }, strict: true }).values;
  } catch (error) {
    process.stderr.write(
      `npm start: ${(error as Error).message}; it takes only --help (settings are environment variables: npm start -- --help)\n`,
    );
    process.exit(2);
  }
})();
if (args.help) {
  process.stdout.write(startHelp());
  process.exit(0);
}

const config = loadConfigOrExit();
// Loaded after the arguments are read: `--help` does not wait for TensorFlow.js and the servers.
const { startPlatform } = await import('./platform');
const platform = await startPlatform(config).catch((error: Error) => {
  process.stderr.write(`Trainyard could not start: ${error.message}\n`);
  process.exit(1);
});

/**
 * Where the key is, never the key itself: a key made just now is shown this once; one from the
 * data directory or `TRAINYARD_API_KEY` is named by where it lives.
 */
function keyLines(key: typeof platform.apiKey): { line: string; bearer: string } {
  const fromFile = `$(cat ${key.file})`;
  switch (key.source) {
    case 'created':
      return {
        line: `${key.secret}   (new: shown this once; saved to ${key.file}, mode 0600)`,
        bearer: fromFile,
      };
    case 'file':
      return { line: `kept in ${key.file} (not shown)`, bearer: fromFile };
    case 'env':
      return { line: 'from TRAINYARD_API_KEY (not shown)', bearer: '$TRAINYARD_API_KEY' };
    case 'env_revoked':
      return {
        line: 'TRAINYARD_API_KEY was revoked and stays revoked: set a new one, or unset it to have one generated',
        bearer: '<a key from `npm run keys -- create`>',
      };
  }
}
const key = keyLines(platform.apiKey);

process.stdout.write(
  [
    '',
    'Trainyard is running',
    `  API        ${platform.apiUrl}   (docs: ${platform.apiUrl}/docs)`,
    `  Inference  ${platform.inferUrl}`,
    `  S3         ${platform.s3Endpoint}  bucket ${platform.config.s3.bucket}${config.s3.embedded ? ` (embedded, data in ${config.dataDir})` : ''}`,
    `  API key    ${key.line}`,
    `  Outbound   ${
      platform.config.outbound.allow.length
        ? `internal addresses allowed: ${platform.config.outbound.allow.join(', ')}`
        : 'imports and webhooks may not reach internal addresses; for a local model server: OUTBOUND_ALLOW=127.0.0.1:PORT npm start'
    }`,
    '',
    `  curl -H "Authorization: Bearer ${key.bearer}" ${platform.apiUrl}/v1/api-keys`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping Trainyard...\n`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await platform.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
// `kill <npm's pid>`: npm passes SIGTERM only to the shell it runs this script in (`sh -c`), which
// dies without passing it on, and this process would run on, adopted by init, holding its ports
// and the data directory. The parent's going is the signal then: stop as on SIGTERM.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop('parent exited');
}, 500).unref();
