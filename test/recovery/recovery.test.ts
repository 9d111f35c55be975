import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiApp } from '@trainyard/api';
import { DatasetService } from '@trainyard/datasets';
import { embeddedS3CredentialFile, startEmbeddedS3, startPlatform } from '@trainyard/local';
import { createRuntime, type DependencyError, keys } from '@trainyard/shared';
import { iris, isolatedRuntime, testConfig, toCsv } from '@trainyard/testing';
import { describe, expect, it } from 'vitest';
import { platformHarness } from '../jobs/platform-support';
import { irisDataset, type Loose } from '../jobs/support';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('readiness apart from liveness', () => {
  it('answers /readyz 503 naming S3 while it is unreachable; /healthz stays 200', async () => {
    const down = createApiApp(
      createRuntime(testConfig({ S3_ENDPOINT: 'http://127.0.0.1:9' }), 'api'),
    );
    const ready = await down.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'unavailable',
      service: 'api',
      checks: { s3: { ok: false } },
    });
    expect((await down.request('/healthz')).status).toBe(200);

    const runtime = await isolatedRuntime('ty-ready');
    try {
      const up = await createApiApp(runtime).request('/readyz');
      expect(up.status).toBe(200);
      expect(await up.json()).toMatchObject({ status: 'ready', checks: { s3: { ok: true } } });
    } finally {
      await runtime.dispose();
    }
  });
});

describe('the embedded store, supervised', () => {
  it('is restarted on the same endpoint when its process is killed, with the data it had', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trainyard-supervised-'));
    const config = testConfig({
      S3_ENDPOINT: '',
      EMBEDDED_S3_PORT: '0',
      S3_BUCKET: 'supervised',
      TRAINYARD_DATA_DIR: dataDir,
      API_PORT: '0',
      INFER_PORT: '0',
    });
    const fatal: DependencyError[] = [];
    const platform = await startPlatform(config, {
      trainerOutput: 'ignore',
      onFatal: (error) => fatal.push(error),
    });
    try {
      const call = (path: string, init: RequestInit = {}) =>
        fetch(`${platform.apiUrl}${path}`, {
          ...init,
          headers: { Authorization: `Bearer ${platform.apiKey.secret}`, ...init.headers },
        });
      const dataset = await irisDataset(call);
      const before = platform.embeddedS3!.pid!;
      process.kill(before, 'SIGKILL');
      await until('the store to be restarted', async () =>
        platform.embeddedS3!.restarts === 1 && platform.embeddedS3!.pid !== before
          ? true
          : undefined,
      );
      const ready = await until('/readyz to answer 200', async () => {
        const res = await fetch(`${platform.apiUrl}/readyz`);
        return res.status === 200 ? res : undefined;
      });
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      const again = (await (await call(`/v1/datasets/${dataset}`)).json()) as Loose;
      expect(again).toMatchObject({ id: dataset, status: 'ready' });
      expect(fatal).toEqual([]);
    } finally {
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('gives up, so that the platform exits non-zero, when the store keeps dying', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'trainyard-dying-'));
    let gaveUp: (error: DependencyError) => void = () => {};
    const given = new Promise<DependencyError>((resolve) => {
      gaveUp = resolve;
    });
    const store = await startEmbeddedS3({
      directory,
      credentialFile: embeddedS3CredentialFile(directory),
      bucket: 'dying',
      port: 0,
      supervision: { maxRestarts: 1, baseDelayMs: 10, onGiveUp: (error) => gaveUp(error) },
    });
    try {
      process.kill(store.pid!, 'SIGKILL');
      await until('a restart', async () => (store.restarts === 1 ? true : undefined));
      process.kill(store.pid!, 'SIGKILL');
      const error = await given;
      expect(error.code).toBe('embedded_s3_unavailable');
      expect(error.message).toMatch(/exited 2 times within 60 s/);
    } finally {
      await store.close();
      await rm(directory, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('datasets after a crash', () => {
  it('validates again, at start, a dataset a crash left validating; fails one whose file is gone', async () => {
    const harness = await platformHarness();
    try {
      await harness.start();
      const call = harness.call.bind(harness);
      const interrupted = await irisDataset(call);
      const lost = await irisDataset(call);
      const { storage } = createRuntime(harness.platform.config, 'test');
      // What a platform killed during validation leaves: the record says validating.
      for (const id of [interrupted, lost]) {
        const record = (await (await call(`/v1/datasets/${id}`)).json()) as Loose;
        await storage.putJson(keys.datasetMeta(id), {
          ...record,
          status: 'validating',
          report: null,
        });
      }
      await storage.delete(keys.datasetRaw(lost));
      await harness.platform.close();

      const platform = await harness.start();
      expect([...platform.recoveredDatasets].sort()).toEqual([interrupted, lost].sort());
      const ready = await until('the dataset to be validated again', async () => {
        const d = (await (await call(`/v1/datasets/${interrupted}`)).json()) as Loose;
        return d.status === 'validating' ? undefined : d;
      });
      expect(ready).toMatchObject({ status: 'ready', report: { stats: { examples: 150 } } });
      const failed = await until('the lost one to be failed', async () => {
        const d = (await (await call(`/v1/datasets/${lost}`)).json()) as Loose;
        return d.status === 'validating' ? undefined : d;
      });
      expect(failed.status).toBe('invalid');
      expect(failed.report.errors[0].code).toBe('validation_interrupted');
    } finally {
      await harness.dispose();
    }
  }, 60_000);

  it('answers 404, not validating, to a complete still waiting when the dataset is deleted', async () => {
    const runtime = await isolatedRuntime('ty-delete-wait');
    try {
      const { service, dataset } = await bigIrisUploaded(runtime, 30_000);
      const completing = service.complete(dataset.id);
      completing.catch(() => {});
      await expect
        .poll(async () => (await service.get(dataset.id)).status, { timeout: 10_000 })
        .toBe('validating');
      await service.delete(dataset.id);
      await expect(completing).rejects.toMatchObject({ code: 'dataset_not_found' });
    } finally {
      await runtime.dispose();
    }
  }, 60_000);

  it('leaves nothing of a dataset deleted while it was being validated', async () => {
    const runtime = await isolatedRuntime('ty-delete');
    try {
      const { service, dataset } = await bigIrisUploaded(runtime, 0);
      const started = await service.complete(dataset.id);
      expect(started.status).toBe('validating');
      let ended = false;
      const settled = service.settled(dataset.id).then(() => {
        ended = true;
      });
      await sleep(200); // into the validation: shards are being written
      await service.delete(dataset.id);
      expect(ended).toBe(false); // the delete came while it ran
      await settled;
      const left = await runtime.storage.listPage(keys.dataset(dataset.id), { limit: 10 });
      // Nothing but the empty seal of the upload key (it makes the old upload URL write nothing).
      expect(left.objects.map((o) => [o.key, o.size])).toEqual([
        [keys.datasetUpload(dataset.id), 0],
      ]);
      await expect(service.get(dataset.id)).rejects.toMatchObject({ code: 'dataset_not_found' });
      expect((await service.list(100)).data.map((d) => d.id)).not.toContain(dataset.id);
    } finally {
      await runtime.dispose();
    }
  }, 60_000);
});

/**
 * A dataset service on `runtime` whose `complete` waits `waitMs` for its validation, and a
 * dataset of 300,000 iris rows uploaded to it (seconds of validation, so that a delete comes during).
 */
async function bigIrisUploaded(
  runtime: Awaited<ReturnType<typeof isolatedRuntime>>,
  waitMs: number,
) {
  const service = new DatasetService({
    storage: runtime.storage,
    logger: runtime.logger,
    uploadMaxBytes: 64 << 20,
    waitMs,
  });
  const { header, rows } = iris();
  const many = Array.from({ length: 2000 }, () => rows).flat();
  const { dataset } = await service.create({
    name: 'big iris',
    task: 'tabular_classification',
    format: 'csv',
    label_column: 'species',
  });
  await service.uploadThroughApi(dataset.id, new Blob([toCsv(header, many)]).stream());
  return { service, dataset };
}
