import { keys } from '@trainyard/shared';
import { iris, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, createIrisDataset, startTestApi, type TestApi } from '../support/api';

// Uploads are bound to their dataset: the presigned PUT is signed for the declared length,
// complete checks the size, and nothing reaches the file of a dataset that left awaiting_upload.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const { header, rows } = iris();
const csv = toCsv(header, rows);

describe('uploads bound to their dataset', () => {
  it('signs the presigned PUT with the declared length, and complete refuses another size (422)', async () => {
    const created = await createIrisDataset(api.call, { size_bytes: 100 });
    const url = new URL(created.upload.url);
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-length');
    expect(created.size_bytes).toBe(100);

    // The store refuses a body of another length on the signed URL (the embedded store checks
    // signatures as AWS S3 and MinIO do)…
    const put = await fetch(created.upload.url, {
      method: 'PUT',
      headers: created.upload.headers,
      body: 'x'.repeat(300),
    });
    expect(put.status).toBe(403);
    // …and complete checks the size of whatever did land (here written to the store directly).
    await api.runtime.storage.putBytes(keys.datasetUpload(created.id), 'x'.repeat(300));
    const res = await api.call(`/v1/datasets/${created.id}/complete`, { method: 'POST' });
    expect(res.status).toBe(422);
    const { error } = await body(res);
    expect(error.code).toBe('upload_size_mismatch');
    expect(error.message).toContain('300 bytes');
    expect(error.message).toContain('size_bytes 100');
    const after = await body(await api.call(`/v1/datasets/${created.id}`));
    expect(after).toMatchObject({ status: 'awaiting_upload', report: null });
    expect(await api.runtime.storage.exists(keys.datasetRaw(created.id))).toBe(false);
  });

  it('refuses, storing nothing, an API upload of another length than size_bytes (413 over, 422 under)', async () => {
    const size = Buffer.byteLength(csv);
    const created = await createIrisDataset(api.call, { size_bytes: size });
    const path = `/v1/datasets/${created.id}/file`;
    const over = await api.call(path, { method: 'PUT', body: `${csv}1,2,3,4,setosa\n` });
    expect(over.status).toBe(413);
    expect((await body(over)).error.message).toContain(`size_bytes ${size}`);
    const under = await api.call(path, { method: 'PUT', body: csv.slice(0, 100) });
    expect(under.status).toBe(422);
    const { error } = await body(under);
    expect(error).toMatchObject({ code: 'upload_size_mismatch', param: 'size_bytes' });
    expect(error.message).toContain('100 bytes');
    expect(error.message).toContain(`size_bytes ${size}`);
    // A body without a length (chunked) is held to the same size.
    const chunked = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(text));
          controller.close();
        },
      });
    const streamed = await api.call(path, {
      method: 'PUT',
      body: chunked(csv.slice(0, 50)),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(422);
    expect(await api.runtime.storage.exists(keys.datasetUpload(created.id))).toBe(false);
    expect(await body(await api.call(`/v1/datasets/${created.id}`))).toMatchObject({
      status: 'awaiting_upload',
      file: null,
    });
    // The declared length is taken.
    expect((await api.call(path, { method: 'PUT', body: csv })).status).toBe(200);
  });

  it('validates a file of the declared size', async () => {
    const created = await createIrisDataset(api.call, { size_bytes: Buffer.byteLength(csv) });
    expect(
      (
        await fetch(created.upload.url, {
          method: 'PUT',
          headers: created.upload.headers,
          body: csv,
        })
      ).status,
    ).toBe(200);
    const done = await api.call(`/v1/datasets/${created.id}/complete`, { method: 'POST' });
    expect(done.status).toBe(200);
    expect((await body(done)).status).toBe('ready');
  });

  it('never lets a presigned URL handed out earlier replace the file of a ready dataset', async () => {
    const created = await createIrisDataset(api.call);
    expect(created.upload.headers).toEqual({ 'If-None-Match': '*' });
    const signed = new URL(created.upload.url).searchParams.get('X-Amz-SignedHeaders');
    expect(signed?.split(';')).toContain('if-none-match');
    const put = (text: string, headers: Record<string, string> = created.upload.headers) =>
      fetch(created.upload.url, { method: 'PUT', headers, body: text });
    // Without the header it is part of the signature of, the URL is refused.
    expect((await put(csv, {})).status).toBe(403);
    expect((await put(csv)).status).toBe(200);
    // The URL writes once: a second PUT before complete is refused too.
    expect((await put(csv)).status).toBe(412);
    const done = await body(
      await api.call(`/v1/datasets/${created.id}/complete`, { method: 'POST' }),
    );
    expect(done.status).toBe('ready');
    const validated = await api.runtime.storage.getBytes(keys.datasetRaw(created.id));

    // Once the dataset is ready the URL writes nothing at all (412 from the store).
    const late = 'sepal_length,species\n1,evil\n';
    const refused = await put(late);
    expect(refused.status).toBe(412);
    expect(await refused.text()).toContain('PreconditionFailed');
    expect(await api.runtime.storage.getBytes(keys.datasetUpload(created.id))).toHaveLength(0);
    expect(await api.runtime.storage.getBytes(keys.datasetRaw(created.id))).toEqual(validated);
    const again = await body(
      await api.call(`/v1/datasets/${created.id}/complete`, { method: 'POST' }),
    );
    expect(again).toMatchObject({ status: 'ready', file: done.file, report: done.report });
    expect(await api.runtime.storage.getBytes(keys.datasetRaw(created.id))).toEqual(validated);

    const viaApi = await api.call(`/v1/datasets/${created.id}/file`, { method: 'PUT', body: late });
    expect(viaApi.status).toBe(409);
    expect((await body(viaApi)).error.code).toBe('dataset_immutable');
    expect(await api.runtime.storage.getBytes(keys.datasetRaw(created.id))).toEqual(validated);
  });

  it('makes the presigned URL of a deleted dataset write nothing (412), and leaves no bytes', async () => {
    const created = await createIrisDataset(api.call);
    const deleted = await api.call(`/v1/datasets/${created.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    const late = await fetch(created.upload.url, {
      method: 'PUT',
      headers: created.upload.headers,
      body: 'x'.repeat(50_000),
    });
    expect(late.status).toBe(412);
    const left = await api.runtime.storage.listPage(keys.dataset(created.id));
    expect(left.objects.map((o) => [o.key, o.size])).toEqual([[keys.datasetUpload(created.id), 0]]);
    expect((await api.call(`/v1/datasets/${created.id}`)).status).toBe(404);
  });

  it('refuses an upload through the API to a dataset no longer awaiting upload (409)', async () => {
    const created = await createIrisDataset(api.call);
    const bad = 'sepal_length,species\n1,a\n';
    await api.call(`/v1/datasets/${created.id}/file`, { method: 'PUT', body: bad });
    const done = await body(
      await api.call(`/v1/datasets/${created.id}/complete`, { method: 'POST' }),
    );
    expect(done.status).toBe('invalid');
    const put = await api.call(`/v1/datasets/${created.id}/file`, { method: 'PUT', body: csv });
    expect(put.status).toBe(409);
    const { error } = await body(put);
    expect(error.code).toBe('dataset_not_awaiting_upload');
    expect(error.message).toContain('invalid');
  });
});
