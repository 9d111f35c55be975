import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedS3, embeddedS3CredentialFile, startEmbeddedS3 } from '@trainyard/local';
import { createRuntime, ensureBucket, loadConfig, type Runtime } from '@trainyard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/api';

// The embedded store as another user of the machine (or a web page in a browser) meets it: only
// requests signed with the install's credential pass; its files are this user's only.

let root: string;
let store: EmbeddedS3;
let runtime: Runtime;
const bucket = 'ty-locked';

function runtimeWith(accessKeyId: string, secretAccessKey: string): Runtime {
  return createRuntime(
    loadConfig({
      S3_ENDPOINT: store.endpoint,
      S3_BUCKET: bucket,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      LOG_LEVEL: 'silent',
    }),
    'test',
  );
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'trainyard-locked-'));
  store = await startEmbeddedS3({
    directory: join(root, 's3'),
    credentialFile: embeddedS3CredentialFile(root),
    bucket,
    port: 0,
    host: '0.0.0.0', // asked for every interface: it still binds loopback only
  });
  runtime = runtimeWith(store.credential.accessKeyId, store.credential.secretAccessKey);
  await ensureBucket(runtime.s3, bucket);
  await runtime.storage.putJson('auth/api-keys/0123456789ab.json', { secret: 'kept' });
});
afterAll(async () => {
  await store?.close();
  await rm(root, { recursive: true, force: true });
});

/** A raw request to the store, every header as given (fetch would set Host itself). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  const { port } = new URL(store.endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the embedded store', () => {
  it('listens on loopback only, and keeps its credential 0600 in a 0700 directory', async () => {
    expect(new URL(store.endpoint).hostname).toBe('127.0.0.1');
    expect((await stat(root)).mode & 0o777).toBe(0o700);
    const file = embeddedS3CredentialFile(root);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(store.credential);
  });

  it('refuses unsigned reads and writes with 403, and writes nothing', async () => {
    const get = await fetch(`${store.endpoint}/${bucket}/auth/api-keys/0123456789ab.json`);
    expect(get.status).toBe(403);
    expect(await get.text()).not.toContain('kept');
    const put = await fetch(`${store.endpoint}/${bucket}/auth/api-keys/minted.json`, {
      method: 'PUT',
      body: '{"id":"minted"}',
    });
    expect(put.status).toBe(403);
    const list = await fetch(`${store.endpoint}/${bucket}?list-type=2`);
    expect(list.status).toBe(403);
    expect(await runtime.storage.exists('auth/api-keys/minted.json')).toBe(false);
    // CORS preflights and anonymous listings of every bucket: refused as well.
    expect((await fetch(`${store.endpoint}/`)).status).toBe(403);
    expect((await fetch(`${store.endpoint}/${bucket}/x`, { method: 'OPTIONS' })).status).toBe(403);
  });

  it('refuses a wrong secret, an unknown key and a tampered or expired presigned URL', async () => {
    const wrong = runtimeWith(store.credential.accessKeyId, 'x'.repeat(40));
    await expect(wrong.storage.getBytes('auth/api-keys/0123456789ab.json')).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    await expect(wrong.storage.putJson('auth/api-keys/evil.json', {})).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    const stranger = runtimeWith('S3RVER', 'S3RVER'); // s3rver's built-in pair is gone too
    await expect(
      stranger.storage.getBytes('auth/api-keys/0123456789ab.json'),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    expect(await runtime.storage.exists('auth/api-keys/evil.json')).toBe(false);

    const url = await runtime.storage.presignGet('auth/api-keys/0123456789ab.json');
    expect((await fetch(url)).status).toBe(200);
    // The same signature for another object, or after its time:
    expect((await fetch(url.replace('0123456789ab.json', 'other.json'))).status).toBe(403);
    const short = await runtime.storage.presignGet('auth/api-keys/0123456789ab.json', {
      expiresIn: 1,
    });
    await new Promise((r) => setTimeout(r, 2100));
    expect((await fetch(short)).status).toBe(403);
  });

  it('refuses browser form posts and foreign Host headers', async () => {
    const boundary = '----trainyard';
    const form = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="key"',
      '',
      'auth/api-keys/form.json',
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="k.json"',
      'Content-Type: application/json',
      '',
      '{"id":"form"}',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const post = await raw(
      'POST',
      `/${bucket}`,
      {
        host: new URL(store.endpoint).host,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(Buffer.byteLength(form)),
      },
      form,
    );
    expect(post.status).toBe(403);
    expect(await runtime.storage.exists('auth/api-keys/form.json')).toBe(false);

    // A signed request, replayed with another Host (DNS rebinding from a web page).
    const url = new URL(await runtime.storage.presignGet('auth/api-keys/0123456789ab.json'));
    const ok = await raw('GET', `${url.pathname}${url.search}`, { host: url.host });
    expect(ok.status).toBe(200);
    const rebound = await raw('GET', `${url.pathname}${url.search}`, {
      host: `attacker.example:${url.port}`,
    });
    expect(rebound.status).toBe(403);
    expect(rebound.text).not.toContain('kept');
  });

  it('answers a browser’s CORS preflight as the real bucket’s rule does; CORS opens nothing unsigned', async () => {
    const host = new URL(store.endpoint).host;
    const origin = 'http://127.0.0.1:8787';
    const key = `/${bucket}/datasets/ds_x/incoming/file`;
    const preflight = await raw('OPTIONS', `${key}?X-Amz-Signature=whatever`, {
      host,
      origin,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'content-type',
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, PUT, HEAD',
      'access-control-allow-headers': 'content-type',
    });
    const del = await raw('OPTIONS', key, {
      host,
      origin,
      'access-control-request-method': 'DELETE',
    });
    expect(del.status).toBe(403);
    // A preflight with a foreign Host (DNS rebinding) gets no answer of CORS either.
    const rebound = await raw('OPTIONS', key, {
      host: `attacker.example:${new URL(store.endpoint).port}`,
      origin,
      'access-control-request-method': 'PUT',
    });
    expect(rebound.status).toBe(403);
    expect(rebound.headers['access-control-allow-origin']).toBeUndefined();
    // The PUT itself still needs its signature; a signed one shows the page its ETag.
    const unsigned = await raw('PUT', key, { host, origin, 'content-length': '1' }, 'x');
    expect(unsigned.status).toBe(403);
    expect(await runtime.storage.exists('datasets/ds_x/incoming/file')).toBe(false);
    const url = new URL(await runtime.storage.presignGet('auth/api-keys/0123456789ab.json'));
    const signed = await raw('GET', `${url.pathname}${url.search}`, { host, origin });
    expect(signed.status).toBe(200);
    expect(signed.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'ETag',
    });
    expect(signed.headers.etag).toBeDefined();
  });

  it('keeps its credential across restarts', async () => {
    const again = await startEmbeddedS3({
      directory: join(root, 's3'),
      credentialFile: embeddedS3CredentialFile(root),
      bucket,
      port: 0,
    });
    try {
      expect(again.credential).toEqual(store.credential);
    } finally {
      await again.close();
    }
  });
});

describe('presigned uploads through the API', () => {
  it('a presigned PUT handed out by the API works against the locked store', async () => {
    const api = await startTestApi();
    try {
      const created = await api.call('/v1/datasets', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'tiny',
          task: 'text_classification',
          format: 'jsonl',
        }),
      });
      expect(created.status).toBe(201);
      const { id, upload } = (await created.json()) as {
        id: string;
        upload: { url: string; headers: Record<string, string> };
      };
      const lines = Array.from({ length: 20 }, (_, i) =>
        JSON.stringify({ text: `example number ${i}`, label: i % 2 ? 'odd' : 'even' }),
      ).join('\n');
      const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: lines });
      expect(put.status).toBe(200);
      // The same URL without its signature is refused.
      const bare = new URL(upload.url);
      expect(
        (await fetch(`${bare.origin}${bare.pathname}`, { method: 'PUT', body: 'x' })).status,
      ).toBe(403);
      const done = await api.call(`/v1/datasets/${id}/complete`, { method: 'POST' });
      expect(((await done.json()) as { status: string }).status).toBe('ready');
    } finally {
      await api.close();
    }
  });
});
