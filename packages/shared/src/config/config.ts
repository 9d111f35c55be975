import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, describeValue, expectationOf } from '../errors';
import { OutboundAllowList } from '../outbound/allow-list';
import { decimalText } from '../schemas/decimal-text';

const port = decimalText(z.number().int().min(0).max(65535));
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const positiveInt = decimalText(z.number().int().min(1));
const nonNegativeInt = decimalText(z.number().int().min(0));

/** Every environment variable Trainyard reads, with its default for local use. */
export const envSchema = z.object({
  /** Where local state lives: the embedded S3 server's files, the local API key. */
  TRAINYARD_DATA_DIR: z.string().default('.trainyard'),
  /** An S3-compatible endpoint (MinIO, AWS). Unset: the platform embeds one. */
  S3_ENDPOINT: z.url().optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name (3-63 of a-z 0-9 . -)')
    .default('trainyard'),
  S3_REGION: z.string().optional(),
  AWS_REGION: z.string().optional(),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  AWS_SESSION_TOKEN: z.string().optional(),
  /** Path-style addressing (`endpoint/bucket/key`), which MinIO and the embedded server need. */
  S3_FORCE_PATH_STYLE: flag.optional(),
  EMBEDDED_S3_PORT: port.default(8790),
  HOST: z.string().default('127.0.0.1'),
  API_PORT: port.default(8787),
  INFER_PORT: port.default(8788),
  QUEUE: z.enum(['local', 'batch']).default('local'),
  BATCH_JOB_QUEUE: z.string().optional(),
  BATCH_JOB_DEFINITION: z.string().optional(),
  TFJS_BACKEND: z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** Threads of the wasm backend in training jobs; unset: chosen per architecture. */
  TFJS_WASM_THREADS: positiveInt.optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** Use this API key instead of generating one on first start. */
  TRAINYARD_API_KEY: z.string().min(16, 'expected at least 16 characters').optional(),
  /** Largest file `PUT /v1/datasets/{id}/file` takes; larger ones go to the presigned URL. */
  API_UPLOAD_MAX_BYTES: positiveInt.default(32 * 1024 * 1024),
  /** Announced dataset files larger than this get presigned multipart part URLs. */
  API_MULTIPART_THRESHOLD_BYTES: positiveInt.default(64 * 1024 * 1024),
  LOCAL_MAX_CONCURRENT_JOBS: positiveInt.default(1),
  LOCAL_MAX_ATTEMPTS: positiveInt.default(3),
  /**
   * The S3 endpoint the local runner gives its trainers, when they reach the store by another
   * address than the platform (a proxy in front of it). Default: the platform's own endpoint.
   */
  LOCAL_TRAINER_S3_ENDPOINT: z.url().optional(),
  /** Bytes of models (their files' sizes) the inference function keeps loaded; least recently used go first. */
  INFER_CACHE_BYTES: positiveInt.default(512 * 1024 * 1024),
  /** Comma-separated model ids the inference function loads at start. */
  INFER_WARM_MODELS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id.length > 0),
    )
    .pipe(z.array(z.string().regex(/^model_[0-9a-z]{1,64}$/, 'expected model ids (model_…)')))
    .optional(),
  /**
   * Comma-separated `host[:port]` or CIDR entries that user-given URLs (base-model imports,
   * webhooks) may reach although they are internal (loopback, private, link-local). Empty: none.
   */
  OUTBOUND_ALLOW: z.string().optional(),
  /**
   * The inference function's base URL as the API's server reaches it (the console's "try it"
   * forwards there). Unset: `http://HOST:INFER_PORT` (`npm start` passes the one it started).
   */
  CONSOLE_INFER_URL: z.url().optional(),
  /**
   * The secret (at least 32 characters) that seals console session cookies. Unset: a random one
   * per process, so sessions end when the process does; set it where several processes serve.
   */
  CONSOLE_SESSION_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  /** Largest predict body; 6 MiB is what a synchronous Lambda invocation takes anyway. */
  INFER_MAX_BODY_BYTES: positiveInt.default(6 * 1024 * 1024),
  /** Largest body of a management API request (the raw upload route has API_UPLOAD_MAX_BYTES). */
  API_MAX_BODY_BYTES: positiveInt.default(1024 * 1024),
  /** Deepest nesting of a JSON body (arrays and objects) either function parses. */
  MAX_JSON_DEPTH: positiveInt.default(64),
  /** Milliseconds a request body may take to arrive; the raw upload route: the longest pause. */
  BODY_TIMEOUT_MS: positiveInt.default(30_000),
  /** Seconds a job may run (its default `max_runtime_seconds` and the most a job may ask). */
  JOB_MAX_RUNTIME_S: positiveInt.default(24 * 3600),
  /** Seconds one tuning trial may run (default and ceiling of `tuning.max_trial_runtime_seconds`). */
  TUNING_MAX_TRIAL_RUNTIME_S: positiveInt.default(6 * 3600),
  /** Most points a grid search may have (the product of its parameters' counts). */
  TUNING_MAX_GRID_POINTS: positiveInt.default(10_000),
  /** Most weights a job's model (under tuning: its largest trial's) may have, by the plan's estimate. */
  JOB_MAX_PARAMETERS: positiveInt.default(50_000_000),
  /** Most bytes training a job's model (or its largest trial's) may need, by the plan's estimate. */
  JOB_MAX_MEMORY_BYTES: positiveInt.default(4 * 1024 ** 3),
  /** Jobs one project may have queued or running at once; 0: no limit. */
  PROJECT_MAX_ACTIVE_JOBS: nonNegativeInt.default(8),
  /** Bytes of dataset files one project may store (declared or uploaded); 0: no limit. */
  PROJECT_MAX_STORED_BYTES: nonNegativeInt.default(50 * 1024 ** 3),
  /** Seconds of the fixed window the per-key rate limits count requests in. */
  RATE_LIMIT_WINDOW_S: positiveInt.default(60),
  /** Management API requests one key may make per window. */
  API_RATE_LIMIT: positiveInt.default(12_000),
  /** Inference requests one key may make per window. */
  INFER_RATE_LIMIT: positiveInt.default(600_000),
  /** Management API requests one key may have in progress at once. */
  API_MAX_CONCURRENT_PER_KEY: positiveInt.default(64),
  /** Inference requests one key may have in progress at once. */
  INFER_MAX_CONCURRENT_PER_KEY: positiveInt.default(512),
  /**
   * Milliseconds a prediction may expect to wait and run: past what a model's queue can serve in
   * this time (from its measured service time), requests for it are shed with 503.
   */
  INFER_LATENCY_BUDGET_MS: positiveInt.default(2000),
  /**
   * Most predict requests one inference process holds at once, counted from their headers; past
   * it (or past what the process answers within INFER_LATENCY_BUDGET_MS) a prebuilt 503 before
   * the body is read. 0: only the measured bound.
   */
  INFER_MAX_IN_FLIGHT: nonNegativeInt.default(0),
  /** Most requests to one model answered by one batched prediction; 1: no batching. */
  INFER_BATCH_MAX: decimalText(z.number().int().min(1).max(1024)).default(16),
  /** Milliseconds a looked-up API key is trusted before S3 is read again: revocation's bound. */
  API_KEY_CACHE_MS: decimalText(z.number().int().min(0).max(60_000)).default(5000),
});

export type Env = z.output<typeof envSchema>;

export interface S3Config {
  /** Set when talking to an external endpoint or once the embedded one is running. */
  readonly endpoint: string | undefined;
  /** True when no `S3_ENDPOINT` was given and the platform starts its own server. */
  readonly embedded: boolean;
  readonly bucket: string;
  readonly region: string;
  readonly forcePathStyle: boolean;
  readonly credentials:
    | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
    | undefined;
  readonly embeddedPort: number;
}

export interface Config {
  readonly dataDir: string;
  readonly s3: S3Config;
  readonly http: { readonly host: string; readonly apiPort: number; readonly inferPort: number };
  readonly queue:
    | {
        readonly kind: 'local';
        readonly maxConcurrentJobs: number;
        readonly maxAttempts: number;
        /** `LOCAL_TRAINER_S3_ENDPOINT`: the trainers' S3 endpoint; undefined: the platform's. */
        readonly trainerS3Endpoint: string | undefined;
      }
    | { readonly kind: 'batch'; readonly jobQueue: string; readonly jobDefinition: string };
  readonly backend: Env['TFJS_BACKEND'];
  /** Threads of the wasm backend in training jobs; undefined: chosen per architecture. */
  readonly wasmThreads: number | undefined;
  readonly logLevel: Env['LOG_LEVEL'];
  readonly apiKey: string | undefined;
  readonly uploadMaxBytes: number;
  readonly multipartThresholdBytes: number;
  /** Bounds on every request either function takes. */
  readonly requests: {
    /** Largest management API body (the raw upload route has `uploadMaxBytes`). */
    readonly apiMaxBodyBytes: number;
    readonly maxJsonDepth: number;
    readonly bodyTimeoutMs: number;
  };
  /** Bounds on every job. */
  readonly jobs: {
    readonly maxRuntimeSeconds: number;
    readonly maxTrialRuntimeSeconds: number;
    readonly maxGridPoints: number;
    /** Most parameters of a job's model (the largest trial's under tuning). */
    readonly maxParameters: number;
    /** Most bytes of training memory (`memory_bytes` of the plan) a job's model may need. */
    readonly maxMemoryBytes: number;
  };
  /** Per-project limits; 0 means no limit. */
  readonly projects: {
    /** Jobs (not yet succeeded, failed or cancelled) one project may have at once. */
    readonly maxActiveJobs: number;
    /** Bytes of dataset files (uploaded, or declared while awaiting upload) one project may hold. */
    readonly maxStoredBytes: number;
  };
  /**
   * Admission control of both functions: per-key rate and concurrency limits, and the inference
   * function's per-model latency budget.
   */
  readonly admission: {
    readonly windowSeconds: number;
    readonly api: { readonly rateLimit: number; readonly maxConcurrent: number };
    readonly infer: {
      readonly rateLimit: number;
      readonly maxConcurrent: number;
      readonly latencyBudgetMs: number;
      /** Requests one process holds at once (0: only the bound measured from the budget). */
      readonly maxInFlight: number;
    };
    /** How long a verified key is cached: a revoked key stops working within this time. */
    readonly apiKeyCacheMs: number;
  };
  /** What user-given URLs may reach besides public addresses (`OUTBOUND_ALLOW`). */
  readonly outbound: { readonly allow: readonly string[] };
  readonly infer: {
    readonly cacheBytes: number;
    readonly warmModels: readonly string[];
    readonly maxBodyBytes: number;
    /** Requests to one model gathered into one prediction while it is busy (1: none). */
    readonly batchMax: number;
  };
  /** The web console (`/console`): where "try it" predicts, and its session secret. */
  readonly console: {
    readonly inferUrl: string | undefined;
    readonly sessionSecret: string | undefined;
  };
}

/**
 * Parses the environment once, at start. Empty variables count as unset. Throws a `ConfigError`
 * naming every bad variable, what it held and what was expected.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(present, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      return `${name}: ${expectationOf(issue)}; received ${describeValue(present[name])}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`, {
      param: String(parsed.error.issues[0]?.path[0] ?? ''),
    });
  }
  const e = parsed.data;
  if (e.QUEUE === 'batch' && (!e.BATCH_JOB_QUEUE || !e.BATCH_JOB_DEFINITION)) {
    const missing = ['BATCH_JOB_QUEUE', 'BATCH_JOB_DEFINITION'].filter((k) => !present[k]);
    throw new ConfigError(
      `Invalid configuration:\n  ${missing.join(', ')}: required when QUEUE=batch; received nothing`,
      { param: missing[0] },
    );
  }
  const embedded = e.S3_ENDPOINT === undefined;
  // Embedded: `npm start` fills in the store's own credential once it runs (from the data
  // directory); until then, and elsewhere, credentials come from the environment.
  const credentials =
    e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: e.AWS_ACCESS_KEY_ID,
          secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
          ...(e.AWS_SESSION_TOKEN ? { sessionToken: e.AWS_SESSION_TOKEN } : {}),
        }
      : undefined; // the SDK's default chain: instance roles, profiles, …
  return {
    dataDir: resolve(e.TRAINYARD_DATA_DIR),
    s3: {
      endpoint: e.S3_ENDPOINT,
      embedded,
      bucket: e.S3_BUCKET,
      region: e.S3_REGION ?? e.AWS_REGION ?? 'us-east-1',
      forcePathStyle: e.S3_FORCE_PATH_STYLE ?? true,
      credentials,
      embeddedPort: e.EMBEDDED_S3_PORT,
    },
    http: { host: e.HOST, apiPort: e.API_PORT, inferPort: e.INFER_PORT },
    queue:
      e.QUEUE === 'batch'
        ? { kind: 'batch', jobQueue: e.BATCH_JOB_QUEUE!, jobDefinition: e.BATCH_JOB_DEFINITION! }
        : {
            kind: 'local',
            maxConcurrentJobs: e.LOCAL_MAX_CONCURRENT_JOBS,
            maxAttempts: e.LOCAL_MAX_ATTEMPTS,
            trainerS3Endpoint: e.LOCAL_TRAINER_S3_ENDPOINT,
          },
    backend: e.TFJS_BACKEND,
    wasmThreads: e.TFJS_WASM_THREADS,
    logLevel: e.LOG_LEVEL,
    apiKey: e.TRAINYARD_API_KEY,
    uploadMaxBytes: e.API_UPLOAD_MAX_BYTES,
    multipartThresholdBytes: e.API_MULTIPART_THRESHOLD_BYTES,
    requests: {
      apiMaxBodyBytes: e.API_MAX_BODY_BYTES,
      maxJsonDepth: e.MAX_JSON_DEPTH,
      bodyTimeoutMs: e.BODY_TIMEOUT_MS,
    },
    jobs: {
      maxRuntimeSeconds: e.JOB_MAX_RUNTIME_S,
      maxTrialRuntimeSeconds: e.TUNING_MAX_TRIAL_RUNTIME_S,
      maxGridPoints: e.TUNING_MAX_GRID_POINTS,
      maxParameters: e.JOB_MAX_PARAMETERS,
      maxMemoryBytes: e.JOB_MAX_MEMORY_BYTES,
    },
    projects: {
      maxActiveJobs: e.PROJECT_MAX_ACTIVE_JOBS,
      maxStoredBytes: e.PROJECT_MAX_STORED_BYTES,
    },
    admission: {
      windowSeconds: e.RATE_LIMIT_WINDOW_S,
      api: { rateLimit: e.API_RATE_LIMIT, maxConcurrent: e.API_MAX_CONCURRENT_PER_KEY },
      infer: {
        rateLimit: e.INFER_RATE_LIMIT,
        maxConcurrent: e.INFER_MAX_CONCURRENT_PER_KEY,
        latencyBudgetMs: e.INFER_LATENCY_BUDGET_MS,
        maxInFlight: e.INFER_MAX_IN_FLIGHT,
      },
      apiKeyCacheMs: e.API_KEY_CACHE_MS,
    },
    outbound: { allow: OutboundAllowList.parse(e.OUTBOUND_ALLOW).entries },
    infer: {
      cacheBytes: e.INFER_CACHE_BYTES,
      warmModels: e.INFER_WARM_MODELS ?? [],
      maxBodyBytes: e.INFER_MAX_BODY_BYTES,
      batchMax: e.INFER_BATCH_MAX,
    },
    console: { inferUrl: e.CONSOLE_INFER_URL, sessionSecret: e.CONSOLE_SESSION_SECRET },
  };
}

/** Runs `loadConfig`, and on a bad value prints the message and stops the process. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    return exitOnConfigError(error);
  }
}

/**
 * For a process's entry: a `ConfigError` is printed and stops the process with exit code 78
 * (EX_CONFIG); any other error is thrown again.
 */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}
