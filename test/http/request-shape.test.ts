import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, startTestApi, type TestApi } from '../support/api';

// The mistakes a person makes with curl, answered over real HTTP with what went wrong and what
// would be right: a body sent without `Content-Type: application/json`, and a field in the wrong
// place of a job.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const job = { dataset: 'ds_0000000000000000000000' };

describe('request shape', () => {
  it('names the Content-Type received and the one expected (415)', async () => {
    for (const [type, shown] of [
      ['text/plain', '"text/plain"'],
      ['application/x-www-form-urlencoded', '"application/x-www-form-urlencoded"'],
    ] as const) {
      const res = await api.call('/v1/fine-tuning/jobs', {
        method: 'POST',
        headers: { 'content-type': type },
        body: JSON.stringify(job),
      });
      expect(res.status).toBe(415);
      const { error } = await body(res);
      expect(error.code).toBe('unsupported_media_type');
      expect(error.param).toBe('header.content-type');
      expect(error.message).toContain(`received ${shown}`);
      expect(error.message).toContain('expected application/json');
    }
  });

  it('names a misplaced field by its own path and says where that name belongs', async () => {
    const cases = [
      {
        sent: { ...job, epochs: 5 },
        param: 'body.epochs',
        hint: 'did you mean body.hyperparameters.epochs?',
      },
      {
        sent: { ...job, hyperparameters: { eposh: 5 } },
        param: 'body.hyperparameters.eposh',
        hint: 'did you mean body.hyperparameters.epochs?',
      },
      {
        sent: { ...job, architecture: { units: [32] } },
        param: 'body.architecture.units',
        hint: 'did you mean body.architecture.head.units?',
      },
    ];
    for (const { sent, param, hint } of cases) {
      const res = await api.call('/v1/fine-tuning/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(sent),
      });
      expect(res.status).toBe(400);
      const { error } = await body(res);
      expect(error.param).toBe(param);
      expect(error.message).toContain(hint);
      expect(error.message).toMatch(/expected only: .*(hyperparameters|head|epochs)/);
    }
  });

  it('refuses a list cursor that names nothing of the project, and pages on with a real one', async () => {
    const names: string[] = [];
    for (const name of ['first', 'second']) {
      const res = await api.call('/v1/datasets', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, task: 'text_classification', format: 'jsonl' }),
      });
      names.push((await body(res)).id);
    }
    const first = await body(await api.call('/v1/datasets?limit=1'));
    expect(first.has_more).toBe(true);
    const next = await body(await api.call(`/v1/datasets?limit=1&after=${first.last_id}`));
    expect(next.data.map((d: { id: string }) => d.id)).toEqual([names[1]]);

    for (const path of ['/v1/models?after=model_nope', '/v1/datasets?after=ds_0nothing']) {
      const res = await api.call(path);
      expect(res.status, path).toBe(400);
      const { error } = await body(res);
      expect(error).toMatchObject({ code: 'invalid_cursor', param: 'query.after' });
      expect(error.message).toContain('expected the last_id of a previous page');
    }
  });
});
