import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('has local defaults: embedded S3, ports 8787/8788, local queue, auto backend', () => {
    const config = loadConfig({});
    expect(config.s3).toMatchObject({
      embedded: true,
      endpoint: undefined,
      bucket: 'trainyard',
      embeddedPort: 8790,
    });
    expect(config.http).toEqual({ host: '127.0.0.1', apiPort: 8787, inferPort: 8788 });
    expect(config.queue).toEqual({ kind: 'local', maxConcurrentJobs: 1, maxAttempts: 3 });
    expect(config.backend).toBe('auto');
    expect(config.wasmThreads).toBeUndefined();
    expect(config.dataDir).toMatch(/\.trainyard$/);
  });

  it('talks to an external endpoint when S3_ENDPOINT is set, with the given credentials', () => {
    const config = loadConfig({
      S3_ENDPOINT: 'http://localhost:9000',
      AWS_ACCESS_KEY_ID: 'minioadmin',
      AWS_SECRET_ACCESS_KEY: 'minioadmin',
      AWS_REGION: 'eu-west-1',
    });
    expect(config.s3).toMatchObject({
      embedded: false,
      endpoint: 'http://localhost:9000',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'minioadmin', secretAccessKey: 'minioadmin' },
    });
  });

  it('takes a wasm thread count for training jobs, and refuses one below 1', () => {
    expect(loadConfig({ TFJS_WASM_THREADS: '2' }).wasmThreads).toBe(2);
    expect(() => loadConfig({ TFJS_WASM_THREADS: '0' })).toThrow(/TFJS_WASM_THREADS/);
  });

  it('bounds every request: body size, JSON depth, body time', () => {
    expect(loadConfig({}).requests).toEqual({
      apiMaxBodyBytes: 1024 * 1024,
      maxJsonDepth: 64,
      bodyTimeoutMs: 30_000,
    });
    expect(loadConfig({ MAX_JSON_DEPTH: '8' }).requests.maxJsonDepth).toBe(8);
    expect(() => loadConfig({ BODY_TIMEOUT_MS: '0' })).toThrow(/BODY_TIMEOUT_MS/);
  });

  it('caps the model size of every job, configurably', () => {
    expect(loadConfig({}).jobs).toMatchObject({
      maxParameters: 50_000_000,
      maxMemoryBytes: 4 * 1024 ** 3,
    });
    expect(loadConfig({ JOB_MAX_PARAMETERS: '1000' }).jobs.maxParameters).toBe(1000);
    expect(() => loadConfig({ JOB_MAX_MEMORY_BYTES: '-1' })).toThrow(/JOB_MAX_MEMORY_BYTES/);
  });

  it('limits each project, 0 meaning no limit', () => {
    expect(loadConfig({}).projects).toEqual({ maxActiveJobs: 8, maxStoredBytes: 50 * 1024 ** 3 });
    expect(
      loadConfig({ PROJECT_MAX_ACTIVE_JOBS: '0', PROJECT_MAX_STORED_BYTES: '0' }).projects,
    ).toEqual({ maxActiveJobs: 0, maxStoredBytes: 0 });
    expect(() => loadConfig({ PROJECT_MAX_ACTIVE_JOBS: '-1' })).toThrow(/PROJECT_MAX_ACTIVE_JOBS/);
  });

  it('has generous admission defaults, each configurable', () => {
    expect(loadConfig({}).admission).toEqual({
      windowSeconds: 60,
      api: { rateLimit: 12_000, maxConcurrent: 64 },
      infer: { rateLimit: 600_000, maxConcurrent: 512, latencyBudgetMs: 2000, maxInFlight: 0 },
      apiKeyCacheMs: 5000,
    });
    expect(loadConfig({ INFER_LATENCY_BUDGET_MS: '50' }).admission.infer.latencyBudgetMs).toBe(50);
    expect(loadConfig({ INFER_MAX_IN_FLIGHT: '64' }).admission.infer.maxInFlight).toBe(64);
    expect(loadConfig({}).infer.batchMax).toBe(16);
    expect(loadConfig({ INFER_BATCH_MAX: '1' }).infer.batchMax).toBe(1);
    expect(() => loadConfig({ INFER_BATCH_MAX: '0' })).toThrow(/INFER_BATCH_MAX/);
    expect(() => loadConfig({ API_KEY_CACHE_MS: '600000' })).toThrow(/API_KEY_CACHE_MS/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ S3_ENDPOINT: '', API_PORT: '' }).s3.embedded).toBe(true);
  });

  it('names the variable, the value received and what was expected', () => {
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(
      /API_PORT: .*expected number.*received "eighty"/,
    );
    // Decimal text only (not 16), and the value named once, not as "received string".
    expect(() => loadConfig({ API_PORT: '0x10' })).toThrow(
      'API_PORT: Invalid input: expected number; received "0x10"',
    );
    expect(() => loadConfig({ QUEUE: 'sqs' })).toThrow(/QUEUE: .*"local"\|"batch".*received "sqs"/);
    expect(() => loadConfig({ S3_BUCKET: 'A' })).toThrow(/S3_BUCKET: expected an S3 bucket name/);
  });

  it('requires the Batch queue and job definition when QUEUE=batch', () => {
    expect(() => loadConfig({ QUEUE: 'batch', BATCH_JOB_QUEUE: 'q' })).toThrow(
      /BATCH_JOB_DEFINITION: required/,
    );
    expect(
      loadConfig({ QUEUE: 'batch', BATCH_JOB_QUEUE: 'q', BATCH_JOB_DEFINITION: 'd' }).queue,
    ).toEqual({ kind: 'batch', jobQueue: 'q', jobDefinition: 'd' });
  });
});
