import { loadConfigOrExit } from '@trainyard/shared';
import { startPlatform } from './platform';

const config = loadConfigOrExit();
const platform = await startPlatform(config).catch((error: Error) => {
  process.stderr.write(`Trainyard could not start: ${error.message}\n`);
  process.exit(1);
});

const keyNote = {
  env: 'from TRAINYARD_API_KEY',
  file: `kept in ${platform.apiKey.file}`,
  created: `new; saved to ${platform.apiKey.file}`,
}[platform.apiKey.source];

process.stdout.write(
  [
    '',
    'Trainyard is running',
    `  API        ${platform.apiUrl}   (docs: ${platform.apiUrl}/docs)`,
    `  Inference  ${platform.inferUrl}`,
    `  S3         ${platform.s3Endpoint}  bucket ${platform.config.s3.bucket}${config.s3.embedded ? ` (embedded, data in ${config.dataDir})` : ''}`,
    `  API key    ${platform.apiKey.secret}   (${keyNote})`,
    '',
    `  curl -H "Authorization: Bearer ${platform.apiKey.secret}" ${platform.apiUrl}/v1/api-keys`,
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
