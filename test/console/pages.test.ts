import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisDataset } from '../jobs/support';
import { body, startTestApi, type TestApi } from '../support/api';

// The console's server side over real HTTP on the real S3 endpoint, without a browser: sign-in
// and its CSRF checks, a CSV dataset's report, the dataset image routes' refusals.

let api: TestApi;
let cookie: string;
let iris: string;
beforeAll(async () => {
  api = await startTestApi();
  iris = await irisDataset(api.call);
});
afterAll(() => api?.close());

const secret = async () => (await api.runtime.apiKeys.create('console')).secret;

function signIn(key: string, origin: string | undefined) {
  return fetch(`${api.url}/console/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(origin ? { origin } : {}),
    },
    body: new URLSearchParams({ api_key: key, next: `/console/datasets/${iris}` }),
  });
}

describe('sign-in', () => {
  it('refuses a sign-in form posted from another origin, or without one', async () => {
    const key = await secret();
    for (const origin of ['https://evil.example', undefined]) {
      const res = await signIn(key, origin);
      expect(res.status).toBe(403);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect((await body(res)).error.code).toBe('forbidden');
    }
  });

  it('sets a sealed HttpOnly SameSite=Strict cookie and returns to the page asked for', async () => {
    const res = await signIn(await secret(), api.url);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/console/datasets/${iris}`);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(
      /^trainyard_session=[\w-]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    cookie = setCookie.split(';')[0]!;
  });

  it('a revoked key ends the session', async () => {
    const key = await api.runtime.apiKeys.create('soon revoked');
    const res = await signIn(key.secret, api.url);
    const session = res.headers.get('set-cookie')!.split(';')[0]!;
    expect(
      (await fetch(`${api.url}/console/api/v1/datasets`, { headers: { cookie: session } })).status,
    ).toBe(200);
    await api.runtime.apiKeys.revoke(key.key.id);
    const after = await fetch(`${api.url}/console/api/v1/datasets`, {
      headers: { cookie: session },
    });
    expect(after.status).toBe(401);
  });
});

describe('two projects', () => {
  it('shows the signed-in project, and nothing of another project in pages or forwarded calls', async () => {
    const other = await api.runtime.apiKeys.create('b-admin', { project: 'team-b', role: 'admin' });
    const res = await signIn(other.secret, api.url);
    expect(res.status).toBe(303);
    const session = res.headers.get('set-cookie')!.split(';')[0]!;
    const page = (path: string) =>
      fetch(`${api.url}${path}`, { headers: { cookie: session }, redirect: 'manual' });

    const list = await page('/console/datasets');
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain(
      'project <strong data-project="true">team-b</strong> · admin key “b-admin”',
    );
    expect(html).not.toContain(iris);
    // The default project's dataset, by its id: the same 404 as a missing one, page and API.
    const shown = await page(`/console/datasets/${iris}`);
    expect(shown.status).toBe(404);
    expect(await shown.text()).not.toContain('sepal');
    const forwarded = await page(`/console/api/v1/datasets/${iris}`);
    expect(forwarded.status).toBe(404);
    expect((await body(forwarded)).error.code).toBe('dataset_not_found');
    const mine = await page('/console/api/v1/datasets');
    expect((await body(mine)).data).toEqual([]);
    // The default project's own session still sees it.
    const own = await fetch(`${api.url}/console/datasets`, { headers: { cookie } });
    expect(await own.text()).toContain(iris);
  });
});

describe('a CSV dataset', () => {
  it('shows its columns with their types and missing counts', async () => {
    const res = await fetch(`${api.url}/console/datasets/${iris}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<h2>Columns</h2>');
    for (const column of ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']) {
      expect(html).toMatch(new RegExp(`<td>${column}</td><td>numeric</td><td>0</td>`));
    }
    expect(html).toMatch(/<td>species<\/td><td>categorical<\/td><td>0<\/td><td>3<\/td>/);
    expect(html).toContain('Examples per class');
  });

  it('has no image files: 422 naming the format, and 404 for an unknown dataset', async () => {
    const files = await api.call(`/v1/datasets/${iris}/files?path=a.png`);
    expect(files.status).toBe(422);
    expect((await body(files)).error).toMatchObject({ code: 'not_an_image_dataset' });
    const samples = await api.call(`/v1/datasets/${iris}/samples`);
    expect(samples.status).toBe(422);
    expect((await api.call('/v1/datasets/ds_nothing/samples')).status).toBe(404);
  });
});

describe('a JSONL text dataset', () => {
  it('shows a histogram of text lengths whose buckets hold every text once', async () => {
    const texts = ['hi!', 'hello there', 'x'.repeat(40), 'y'.repeat(41), 'z'.repeat(95)];
    const created = await body(
      await api.call('/v1/datasets', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'short texts', task: 'text_classification', format: 'jsonl' }),
      }),
    );
    const jsonl = texts.map((text, i) => JSON.stringify({ text, label: i % 2 ? 'a' : 'b' }));
    await api.call(`/v1/datasets/${created.id}/file`, { method: 'PUT', body: jsonl.join('\n') });
    const done = await body(
      await api.call(`/v1/datasets/${created.id}/complete`, { method: 'POST' }),
    );
    expect(done.status).toBe('ready');
    const res = await fetch(`${api.url}/console/datasets/${created.id}`, { headers: { cookie } });
    const html = await res.text();
    expect(html).toContain('<h2>Text length</h2>');
    // Lengths 3 to 95 in at most 20 buckets: width 5, from 0 to 100.
    const rows = [...html.matchAll(/data-bucket="(\d+)-(\d+)">.*?class="bar-value">(\d+)</g)];
    expect(rows.map((r) => [Number(r[1]), Number(r[2])])).toEqual(
      Array.from({ length: 20 }, (_, i) => [i * 5, i * 5 + 5]),
    );
    const count = (from: number) => Number(rows.find((r) => Number(r[1]) === from)![3]);
    expect(count(0)).toBe(1);
    expect(count(10)).toBe(1);
    expect(count(40)).toBe(2);
    expect(count(95)).toBe(1);
    expect(rows.reduce((s, r) => s + Number(r[3]), 0)).toBe(texts.length);
    expect(html).toContain('<span class="bar-label">40–44</span>');
  });
});

describe('the new-job form without JavaScript', () => {
  it('keeps the search space a JSON textarea, with the tunable paths listed for the editor', async () => {
    const res = await fetch(`${api.url}/console/jobs/new?dataset=${iris}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<textarea name="tuning\.search_space"/);
    // The editor's host is empty until console.js fills it.
    expect(html).toMatch(/<div class="space-editor wide" data-space-editor(="[^"]*")?><\/div>/);
    expect(html).toContain('<datalist id="tunable-paths">');
    expect(html).toContain('<option value="hyperparameters.learning_rate"></option>');
  });

  it('offers the objective metrics the API takes, saying which one a study uses by default', async () => {
    const res = await fetch(`${api.url}/console/jobs/new?dataset=${iris}`, { headers: { cookie } });
    const html = await res.text();
    const select = html.match(/<select name="tuning\.objective\.metric">(.*?)<\/select>/s)?.[1];
    expect(select).toBeDefined();
    const options = [...select!.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)</g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(options).toEqual([
      ['', 'default (val_loss, minimized)'],
      ['val_loss', 'val_loss'],
      ['val_accuracy', 'val_accuracy'],
      ['loss', 'loss'],
      ['accuracy', 'accuracy'],
    ]);
  });
});

describe('unknown console paths', () => {
  it('forwards only to /v1 routes, whatever encoded dots spell', async () => {
    // node:http sends the path as written (fetch would resolve the dots before sending).
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${api.url}/console/api/v1/%2e%2e/console/datasets`, {
        headers: { cookie },
      });
      req.path = '/console/api/v1/%2e%2e/console/datasets';
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.end();
    });
    // The server resolves the dots before routing: /console/api/console/datasets is no route.
    expect(answer.status).toBe(404);
    expect(answer.text).not.toContain('<html');
    const ok = await fetch(`${api.url}/console/api/v1/datasets/${iris}`, { headers: { cookie } });
    expect((await body(ok)).id).toBe(iris);
  });

  it('404s an asset that is not in the list, before any session check', async () => {
    const res = await fetch(`${api.url}/console/assets/..%2F..%2Fpackage.json`);
    expect(res.status).toBe(404);
    expect(
      (await fetch(`${api.url}/console/assets/console.js`)).headers.get('content-type'),
    ).toContain('javascript');
  });
});
