import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as tf from '@tensorflow/tfjs';
import { apiKeyIdOf, createRuntime, jobSpecSchema, keys, type Runtime } from '@trainyard/shared';
import { assertInJobProject } from '@trainyard/train';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformHarness } from '../jobs/platform-support';
import { irisDataset, type Loose, untilEnded } from '../jobs/support';

// Two projects, A and B, on `npm start`'s platform (embedded S3 store, real trainer, real HTTP).
// Project A owns one object of every kind; project B's admin key walks every route of both
// OpenAPI documents against them and must get 404, exactly as for a missing id, and never see
// them in a list. Roles: an inference key only predicts, a member key does not manage keys.

let harness: Awaited<ReturnType<typeof platformHarness>>;
let runtime: Runtime;
let modelServer: Server;
let operator: string;
/** Secrets of project A's keys (admin, member, inference) and project B's admin key. */
const A = { admin: '', member: '', inference: '' };
let adminB = '';
/** Project A's objects, by id type. */
const owned = { ds: '', ftjob: '', model: '', bm: '', key: '' };

const json = (res: Response): Promise<Loose> => res.json();

function caller(base: () => string, secret: string) {
  return (path: string, init: RequestInit = {}) =>
    fetch(`${base()}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${secret}`, ...init.headers },
    });
}
const api = (secret: string) => caller(() => harness.platform.apiUrl, secret);
const infer = (secret: string) => caller(() => harness.platform.inferUrl, secret);
const postJson = (call: ReturnType<typeof api>, path: string, body: unknown, headers = {}) =>
  call(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** A small TensorFlow.js image model served on loopback, to import as a base model. */
async function serveBaseModel(): Promise<string> {
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 3, name: 'conv' }),
      tf.layers.globalAveragePooling2d({ name: 'pool' }),
      tf.layers.dense({ units: 2, activation: 'softmax', name: 'out' }),
    ],
  });
  let artifacts!: tf.io.ModelArtifacts;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  const files = new Map<string, Buffer>([
    [
      '/m/model.json',
      Buffer.from(
        JSON.stringify({
          format: 'layers-model',
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['w.bin'], weights: artifacts.weightSpecs }],
        }),
      ),
    ],
    ['/m/w.bin', Buffer.from(artifacts.weightData as ArrayBuffer)],
  ]);
  modelServer = createServer((req, res) => {
    const file = files.get(req.url!);
    res.writeHead(file ? 200 : 404).end(file);
  }).listen(0, '127.0.0.1');
  await new Promise((r) => modelServer.once('listening', r));
  return `http://127.0.0.1:${(modelServer.address() as AddressInfo).port}/m/model.json`;
}

beforeAll(async () => {
  // The model server listens on loopback: allow-listed, as an operator would for a local one.
  harness = await platformHarness({}, { OUTBOUND_ALLOW: '127.0.0.1' });
  const platform = await harness.start();
  runtime = createRuntime(platform.config, 'test');
  operator = platform.apiKey.secret!;

  for (const name of ['team-a', 'team-b']) {
    const res = await postJson(api(operator), '/v1/projects', { name });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = await json(res);
    expect(created.admin_key).toMatchObject({ project: name, role: 'admin', operator: false });
    if (name === 'team-a') A.admin = created.admin_key.secret;
    else adminB = created.admin_key.secret;
  }
  for (const role of ['member', 'inference'] as const) {
    const res = await postJson(api(A.admin), '/v1/api-keys', { name: `a-${role}`, role });
    expect(res.status).toBe(201);
    const key = await json(res);
    A[role] = key.secret;
    if (role === 'member') owned.key = key.id;
  }

  const member = api(A.member);
  owned.ds = await irisDataset(member);
  const job = await postJson(member, '/v1/fine-tuning/jobs', {
    dataset: owned.ds,
    model_name: 'iris-a',
    hyperparameters: { epochs: 2, early_stopping: null },
  });
  expect(job.status, await job.clone().text()).toBe(201);
  owned.ftjob = (await json(job)).id;
  const ended = await untilEnded({ call: member }, owned.ftjob, 90_000);
  expect(ended.status, JSON.stringify(ended.error)).toBe('succeeded');
  owned.model = ended.result_model;
  const base = await postJson(member, '/v1/base-models', {
    name: 'tiny',
    source: { url: await serveBaseModel() },
  });
  expect(base.status, await base.clone().text()).toBe(201);
  owned.bm = (await json(base)).id;
}, 180_000);

afterAll(async () => {
  modelServer?.close();
  runtime?.s3.destroy();
  await harness?.dispose();
});

interface Route {
  readonly doc: 'api' | 'infer';
  readonly method: string;
  readonly path: string;
  /** The route's required query parameters, given a plausible value so that it is reached. */
  readonly query: string;
}

async function routesOf(doc: 'api' | 'infer'): Promise<Route[]> {
  const base = doc === 'api' ? harness.platform.apiUrl : harness.platform.inferUrl;
  const document = await json(await fetch(`${base}/openapi.json`));
  const out: Route[] = [];
  for (const [path, operations] of Object.entries(document.paths as Record<string, object>)) {
    for (const [method, operation] of Object.entries(operations)) {
      const params = ((operation as { parameters?: Array<Record<string, unknown>> }).parameters ??
        []) as Array<{ in: string; name: string; required?: boolean }>;
      const required = params.filter((p) => p.in === 'query' && p.required);
      const query = required.map((p) => `${p.name}=x.png`).join('&');
      out.push({ doc, method: method.toUpperCase(), path, query: query ? `?${query}` : '' });
    }
  }
  return out;
}

/** Project A's object for a route with an `{id}`, by the collection the path names. */
function ownedIdFor(path: string): string | undefined {
  if (path.startsWith('/v1/datasets/')) return owned.ds;
  if (path.startsWith('/v1/fine-tuning/jobs/')) return owned.ftjob;
  if (path.startsWith('/v1/models/')) return owned.model;
  if (path.startsWith('/v1/base-models/')) return owned.bm;
  if (path.startsWith('/v1/api-keys/')) return owned.key;
  return undefined;
}

/** A body each POST/PUT route takes, naming A's objects where it refers to any. */
function bodyFor(route: Route): { body: string; type: string } | undefined {
  if (route.method === 'GET' || route.method === 'DELETE') return undefined;
  if (route.path === '/v1/datasets/{id}/file') return { body: 'a,b\n1,2\n', type: 'text/csv' };
  if (route.path.endsWith('/predict')) return { body: '{"inputs":[{}]}', type: 'application/json' };
  return { body: '{}', type: 'application/json' };
}

describe('projects keep their objects to themselves', () => {
  it("answers project B's key 404 on every route with one of A's ids, as for a missing id", async () => {
    const routes = [...(await routesOf('api')), ...(await routesOf('infer'))].filter((r) =>
      r.path.includes('{id}'),
    );
    // The walk is real: every kind of object is reached.
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'GET /v1/datasets/{id}',
        'GET /v1/datasets/{id}/rows.csv',
        'GET /v1/datasets/{id}/samples',
        'GET /v1/datasets/{id}/files',
        'POST /v1/datasets/{id}/augmentation-preview',
        'PUT /v1/datasets/{id}/file',
        'POST /v1/datasets/{id}/complete',
        'DELETE /v1/datasets/{id}',
        'GET /v1/fine-tuning/jobs/{id}',
        'POST /v1/fine-tuning/jobs/{id}/cancel',
        'GET /v1/fine-tuning/jobs/{id}/events',
        'GET /v1/fine-tuning/jobs/{id}/metrics',
        'GET /v1/models/{id}',
        'GET /v1/models/{id}/download',
        'GET /v1/models/{id}/evaluation',
        'DELETE /v1/models/{id}',
        'GET /v1/base-models/{id}',
        'DELETE /v1/api-keys/{id}',
        'POST /v1/models/{id}/predict',
      ]),
    );
    const failures: string[] = [];
    const missing: Record<string, string> = {};
    for (const route of routes) {
      const id = ownedIdFor(route.path);
      if (!id) {
        failures.push(`${route.method} ${route.path}: no object of project A mapped to this route`);
        continue;
      }
      const call = route.doc === 'api' ? api(adminB) : infer(adminB);
      const payload = bodyFor(route);
      const init: RequestInit = {
        method: route.method,
        ...(payload ? { body: payload.body, headers: { 'content-type': payload.type } } : {}),
      };
      const res = await call(route.path.replace('{id}', id) + route.query, init);
      const text = await res.text();
      if (res.status !== 404)
        failures.push(`${route.method} ${route.path} → ${res.status} ${text}`);
      // The same answer as for a missing id of that type: nothing tells "exists elsewhere".
      const absent = id.includes('_')
        ? id.replace(/_[0-9a-z]+$/, (m) => `_${'0'.repeat(m.length - 1)}`)
        : '0'.repeat(id.length);
      const other = await call(route.path.replace('{id}', absent) + route.query, init);
      const otherText = await other.text();
      if (other.status !== res.status)
        failures.push(`${route.method} ${route.path}: missing id → ${other.status}`);
      const code = (t: string) => (JSON.parse(t) as Loose).error?.code;
      if (res.status === 404 && code(text) !== code(otherText))
        missing[`${route.method} ${route.path}`] = `${code(text)} vs ${code(otherText)}`;
    }
    // The event stream of A's job is no more B's than its JSON pages.
    const sse = await api(adminB)(`/v1/fine-tuning/jobs/${owned.ftjob}/events`, {
      headers: { accept: 'text/event-stream' },
    });
    if (sse.status !== 404) failures.push(`SSE events → ${sse.status}`);
    expect(failures).toEqual([]);
    expect(missing).toEqual({});

    // Nothing of A's was touched: A still sees every object, and its member key still works.
    const member = api(A.member);
    for (const path of [
      `/v1/datasets/${owned.ds}`,
      `/v1/fine-tuning/jobs/${owned.ftjob}`,
      `/v1/models/${owned.model}`,
      `/v1/base-models/${owned.bm}`,
    ]) {
      expect((await member(path)).status, path).toBe(200);
    }
    expect((await json(await member(`/v1/fine-tuning/jobs/${owned.ftjob}`))).status).toBe(
      'succeeded',
    );
  }, 120_000);

  it("never shows A's objects in B's lists, and A sees its own stamped with its project", async () => {
    const lists = (await routesOf('api')).filter(
      (r) => r.method === 'GET' && r.path.startsWith('/v1/') && !r.path.includes('{'),
    );
    expect(lists.map((r) => r.path)).toEqual(
      expect.arrayContaining([
        '/v1/datasets',
        '/v1/fine-tuning/jobs',
        '/v1/models',
        '/v1/base-models',
        '/v1/api-keys',
      ]),
    );
    const ids = [...Object.values(owned), apiKeyIdOf(A.admin), apiKeyIdOf(A.inference)];
    for (const route of lists) {
      const res = await api(adminB)(route.path);
      if (route.path === '/v1/projects') {
        expect(res.status).toBe(403); // not the operator's key
        continue;
      }
      expect(res.status, route.path).toBe(200);
      const text = await res.text();
      for (const id of ids) expect(text, `${route.path} shows ${id}`).not.toContain(id);
    }
    const member = api(A.member);
    const listed = {
      datasets: (await json(await member('/v1/datasets'))).data,
      jobs: (await json(await member('/v1/fine-tuning/jobs'))).data,
      models: (await json(await member('/v1/models'))).data,
      bases: (await json(await member('/v1/base-models'))).data,
    };
    expect(listed.datasets).toEqual([expect.objectContaining({ id: owned.ds, project: 'team-a' })]);
    expect(listed.jobs).toEqual([expect.objectContaining({ id: owned.ftjob, project: 'team-a' })]);
    expect(listed.models).toEqual([
      expect.objectContaining({ id: owned.model, project: 'team-a' }),
    ]);
    expect(listed.bases[0]).toMatchObject({ id: owned.bm, project: 'team-a' });
    // The built-in bases are every project's.
    expect(listed.bases.slice(1).every((b: Loose) => b.builtin && b.project === null)).toBe(true);
    // The operator's default project sees none of A's either.
    const defaults = await (await api(operator)('/v1/datasets')).text();
    expect(defaults).not.toContain(owned.ds);
    // Keys: A's admin lists A's three keys only.
    const keyList = (await json(await api(A.admin)('/v1/api-keys'))).data.map((k: Loose) => k.id);
    expect(keyList.sort()).toEqual(
      [apiKeyIdOf(A.admin), apiKeyIdOf(A.member), apiKeyIdOf(A.inference)].sort(),
    );
  });

  it("refuses to train B's job from A's dataset, model or base model: 404 at creation", async () => {
    const b = api(adminB);
    const own = await irisDataset(b);
    for (const [body, param] of [
      [{ dataset: owned.ds }, 'body.dataset'],
      [{ dataset: own, validation_dataset: owned.ds }, 'body.validation_dataset'],
      [{ dataset: own, base_model: owned.model }, 'body.base_model'],
    ] as const) {
      for (const path of ['/v1/fine-tuning/jobs', '/v1/fine-tuning/jobs/plan']) {
        const res = await postJson(b, path, body);
        expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(404);
        expect((await json(res)).error.param).toBe(param);
      }
    }
    // An image job from A's imported base: B needs an image dataset to ask; the base check is
    // the same one, so a tabular dataset with A's base answers 404 (not 422 "mismatch").
    const fromBase = await postJson(b, '/v1/fine-tuning/jobs', {
      dataset: own,
      base_model: owned.bm,
    });
    expect(fromBase.status).toBe(404);
    expect((await json(fromBase)).error.code).toBe('base_model_not_found');
    expect((await json(await b('/v1/fine-tuning/jobs'))).data).toEqual([]);
  }, 60_000);

  it("keeps the trainer within the job's project, whatever wrote the spec", async () => {
    const spec = await runtime.storage.getJson(keys.jobSpec(owned.ftjob), jobSpecSchema);
    expect(spec.project).toBe('team-a');
    await expect(assertInJobProject(runtime.storage, spec)).resolves.toBeUndefined();
    await expect(
      assertInJobProject(runtime.storage, { ...spec, base_model: owned.model }),
    ).resolves.toBeUndefined();
    await expect(
      assertInJobProject(runtime.storage, { ...spec, project: 'team-b' }),
    ).rejects.toMatchObject({ code: 'dataset_not_found', param: 'dataset' });
    // A spec from before projects is the default project's: A's dataset is not its.
    const { project: _p, ...legacy } = spec;
    await expect(assertInJobProject(runtime.storage, legacy)).rejects.toMatchObject({
      code: 'dataset_not_found',
    });
    const own = await irisDataset(api(adminB));
    for (const base of [owned.model, owned.bm]) {
      await expect(
        assertInJobProject(runtime.storage, {
          ...spec,
          project: 'team-b',
          dataset: own,
          base_model: base,
        }),
      ).rejects.toMatchObject({ code: 'base_model_not_found', param: 'base_model' });
    }
  }, 60_000);

  it('keeps Idempotency-Keys per project: the same key and body in B runs afresh', async () => {
    const body = { name: 'same', task: 'tabular_classification', format: 'csv', label_column: 'y' };
    const headers = { 'idempotency-key': 'shared-key-1' };
    const a = await json(await postJson(api(A.member), '/v1/datasets', body, headers));
    const b = await postJson(api(adminB), '/v1/datasets', body, headers);
    expect(b.status).toBe(201);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    const bBody = await json(b);
    expect(bBody.id).not.toBe(a.id);
    expect(bBody.project).toBe('team-b');
    const hash = (await runtime.storage.listPage('idempotency/api/')).objects;
    const records = await Promise.all(
      hash.map(async (o) =>
        JSON.parse(Buffer.from(await runtime.storage.getBytes(o.key)).toString()),
      ),
    );
    expect(records.map((r) => r.project).sort()).toEqual(
      expect.arrayContaining(['team-a', 'team-b']),
    );
  });
});

describe('roles', () => {
  it('an inference key predicts, and cannot train, read datasets or manage: 403 naming both roles', async () => {
    const predicted = await postJson(infer(A.inference), `/v1/models/${owned.model}/predict`, {
      inputs: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }],
    });
    expect(predicted.status, await predicted.clone().text()).toBe(200);
    const call = api(A.inference);
    for (const [method, path, needed] of [
      ['POST', '/v1/fine-tuning/jobs', 'member'],
      ['GET', '/v1/datasets', 'member'],
      ['GET', `/v1/models/${owned.model}/download`, 'member'],
      ['POST', '/v1/api-keys', 'admin'],
      ['GET', '/v1/api-keys', 'admin'],
      ['POST', '/v1/projects', 'operator'],
    ] as const) {
      const res = await call(path, {
        method,
        ...(method === 'POST'
          ? {
              body: JSON.stringify({ dataset: owned.ds, name: 'x' }),
              headers: { 'content-type': 'application/json' },
            }
          : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(403);
      const { error } = await json(res);
      expect(error.code).toBe('role_required');
      expect(error.message).toContain(needed);
      expect(error.message).toContain('inference');
    }
    // Whoever it is, a key may ask which project and role it has.
    const me = await json(await call('/v1/projects/current'));
    expect(me).toMatchObject({ project: { id: 'team-a' }, key: { role: 'inference' } });
  });

  it('a member key works with datasets but cannot manage keys (403), and an admin cannot create projects', async () => {
    const member = api(A.member);
    expect((await member('/v1/datasets')).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/v1/api-keys'],
      ['POST', '/v1/api-keys'],
      ['DELETE', `/v1/api-keys/${apiKeyIdOf(A.admin)}`],
    ] as const) {
      const res = await member(path, {
        method,
        ...(method === 'POST'
          ? { body: '{"name":"x","role":"admin"}', headers: { 'content-type': 'application/json' } }
          : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await json(res)).error.message).toBe(
        `${method} ${path} needs an API key with the admin role; this key has the member role`,
      );
    }
    // A's admin key still works: the member's DELETE did nothing.
    expect((await api(A.admin)('/v1/api-keys')).status).toBe(200);
    const project = await postJson(api(A.admin), '/v1/projects', { name: 'team-c' });
    expect(project.status).toBe(403);
    expect((await json(project)).error.message).toContain('operator');
  });
});

describe('migration of data from before projects', () => {
  it('moves a key and a dataset without a project into the default project on start', async () => {
    // As an install from before projects left them: a key with scopes, a dataset with no project.
    const legacySecret = `ty_legacykey001_${'L'.repeat(32)}`;
    const { createHash } = await import('node:crypto');
    await runtime.storage.putJson(keys.apiKey('legacykey001'), {
      id: 'legacykey001',
      name: 'old',
      sha256: createHash('sha256').update(legacySecret).digest('hex'),
      last4: 'LLLL',
      scopes: ['api', 'infer'],
      created_at: 1,
      revoked_at: null,
    });
    const dataset = await json(
      await postJson(api(operator), '/v1/datasets', {
        name: 'old',
        task: 'tabular_classification',
        format: 'csv',
        label_column: 'y',
      }),
    );
    const { project: _dropped, ...legacyDataset } = dataset;
    delete legacyDataset.upload;
    delete legacyDataset.api_upload;
    await runtime.storage.putJson(keys.datasetMeta(dataset.id), legacyDataset);

    await harness.platform.close();
    await harness.start();
    runtime.s3.destroy();
    runtime = createRuntime(harness.platform.config, 'test');

    const stored = JSON.parse(
      Buffer.from(await runtime.storage.getBytes(keys.apiKey('legacykey001'))).toString(),
    );
    expect(stored).toMatchObject({ project: 'default', role: 'admin' });
    expect(stored.scopes).toBeUndefined();
    const old = api(legacySecret);
    expect(await json(await old('/v1/projects/current'))).toMatchObject({
      project: { id: 'default' },
      key: { id: 'legacykey001', role: 'admin' },
    });
    const listed = (await json(await old('/v1/datasets'))).data;
    expect(listed).toContainEqual(expect.objectContaining({ id: dataset.id, project: 'default' }));
    expect((await api(adminB)(`/v1/datasets/${dataset.id}`)).status).toBe(404);
    expect((await api(A.admin)(`/v1/datasets/${dataset.id}`)).status).toBe(404);
    // The operator's key is still the operator's after the restart.
    expect(
      (await json(await api(harness.platform.apiKey.secret!)('/v1/projects/current'))).key,
    ).toMatchObject({ operator: true, role: 'admin', project: 'default' });
  }, 90_000);
});
