import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, openRuntime } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';
import { openScratchRuntime } from './open-runtime';

describe('opening the runtime', () => {
  it('refuses a config without S3_ENDPOINT when nothing can start the embedded store', async () => {
    await expect(openRuntime(loadConfig({ LOG_LEVEL: 'silent' }), 'test')).rejects.toThrow(
      ConfigError,
    );
  });

  it('starts the embedded store in a folder of its own, and removes it on close', async () => {
    const runtime = await openScratchRuntime('test', {
      bucket: 'ty-scratch',
      env: { LOG_LEVEL: 'silent' },
    });
    expect(runtime.config.s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(runtime.config.s3.bucket).toBe('ty-scratch');
    await runtime.storage.putJson('a.json', { n: 1 });
    expect(new TextDecoder().decode(await runtime.storage.getBytes('a.json'))).toBe('{"n":1}');
    await runtime.close();
    expect(existsSync(runtime.config.dataDir)).toBe(false);
  }, 60_000);

  it('uses the configured endpoint and creates the bucket there', async () => {
    // The test run's endpoint (global setup), with a bucket that does not exist yet (left
    // empty afterwards, in the run's own store).
    const bucket = `ty-open-${Date.now().toString(36)}`;
    const runtime = await openScratchRuntime('test', { bucket, env: process.env });
    try {
      expect(runtime.config.s3.endpoint).toBe(process.env.S3_ENDPOINT);
      await runtime.storage.putJson('b.json', { n: 2 });
      expect(await runtime.storage.exists('b.json')).toBe(true);
      await runtime.storage.deletePrefix('');
    } finally {
      await runtime.close();
    }
  });
});
