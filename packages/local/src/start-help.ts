import { envSchema } from '@trainyard/shared';

/** What the variables `npm start` is most often started with do; the README's table has all. */
const MEANINGS: Partial<Record<keyof typeof envSchema.shape, string>> = {
  TRAINYARD_DATA_DIR:
    'local state: the embedded store, the API key (api-key), where it listens (platform.json)',
  API_PORT: 'port of the API and the console (0: any free port)',
  INFER_PORT: 'port of the inference function (0: any free port)',
  EMBEDDED_S3_PORT: 'port of the embedded S3 store (loopback only)',
  HOST: 'interface the API and the inference function listen on',
  S3_ENDPOINT: 'an S3-compatible endpoint (MinIO, AWS) instead of the embedded store',
  S3_BUCKET: 'the one bucket, created if missing',
  S3_REGION: 'region of S3_ENDPOINT (else AWS_REGION, else us-east-1)',
  AWS_ACCESS_KEY_ID: 'credentials for S3_ENDPOINT (the embedded store makes its own)',
  AWS_SECRET_ACCESS_KEY: 'credentials for S3_ENDPOINT',
  S3_FORCE_PATH_STYLE: 'path-style S3 addressing, as MinIO needs (default true)',
  QUEUE: 'local: jobs run as child processes; batch: submitted to AWS Batch',
  LOCAL_MAX_CONCURRENT_JOBS: 'jobs the local runner runs at once',
  LOCAL_TRAINER_S3_ENDPOINT: "the trainers' S3 endpoint, when not the platform's (a proxy)",
  TFJS_BACKEND: 'auto, tensorflow-gpu, tensorflow, wasm or cpu',
  LOG_LEVEL: 'JSON log lines on stdout at this level and above',
  TRAINYARD_API_KEY: 'use this key instead of generating one (never printed)',
  CONSOLE_INFER_URL:
    'where the console\'s "try it" forwards (default: the inference server started)',
  CONSOLE_SESSION_SECRET: '32+ characters sealing console sessions (default: random per process)',
  OUTBOUND_ALLOW: 'host[:port] or CIDR entries imports and webhooks may reach although internal',
};

/** The default of one variable as `npm start` applies it, or undefined for none. */
function defaultOf(name: keyof typeof envSchema.shape): string | undefined {
  const parsed = envSchema.shape[name].safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return undefined;
  return String(parsed.data);
}

/**
 * `npm start -- --help`: what it starts, the file it writes, and every environment variable it
 * reads (from the config schema, so none is left out) with its default.
 */
export function startHelp(): string {
  const names = Object.keys(envSchema.shape) as Array<keyof typeof envSchema.shape>;
  const width = Math.max(...names.map((n) => n.length));
  const rows = names.map((name) => {
    const byDefault = defaultOf(name);
    const meaning = [MEANINGS[name], byDefault === undefined ? undefined : `default ${byDefault}`]
      .filter(Boolean)
      .join('; ');
    return `  ${name.padEnd(width)}  ${meaning}`.trimEnd();
  });
  return [
    'Usage: npm start [-- --help]',
    '',
    'Starts the whole Trainyard platform in this process, until Ctrl-C: the embedded S3 store',
    '(unless S3_ENDPOINT is set), the API with the console (http://HOST:API_PORT/), the inference',
    'function, and the local job runner, which resumes the jobs a previous run left. The first',
    'start makes an API key and keeps it in TRAINYARD_DATA_DIR/api-key; while it runs,',
    'TRAINYARD_DATA_DIR/platform.json says where it listens, so that `npx trainyard` and the SDK',
    'find it on any port.',
    '',
    'Environment variables (read once at start; empty counts as unset; README.md, Configuration):',
    ...rows,
    '',
    'Example: API_PORT=18787 INFER_PORT=18788 EMBEDDED_S3_PORT=18790 npm start',
    '',
  ].join('\n');
}
