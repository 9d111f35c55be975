import type { OpenAPIHono } from '@hono/zod-openapi';
import { type ApiKey, AuthenticationError, PermissionError } from '@trainyard/shared';
import type { Context, MiddlewareHandler } from 'hono';
import { contextStorage } from 'hono/context-storage';
import type { ApiDeps } from '../deps';
import { inferenceUrl } from '../infer-url';
import { ConsoleApi, errorMessage } from './api-client';
import { readAsset } from './assets';
import { formToJobBody, JOB_FORM_FIELDS } from './job-form';
import { DatasetPage } from './pages/dataset';
import { DatasetsPage } from './pages/datasets';
import { ExamplesPage } from './pages/examples';
import { JobPage } from './pages/job';
import { JobNewPage } from './pages/job-new';
import { JobsPage } from './pages/jobs';
import { ErrorBox, Layout } from './pages/layout';
import { ModelPage } from './pages/model';
import { ModelsPage } from './pages/models';
import { SignInPage } from './pages/sign-in';
import { forwardToApi, forwardToInfer } from './proxy';
import { endSession, SessionSealer, sameOrigin, sessionKey, startSession } from './session';

declare module 'hono' {
  interface ContextVariableMap {
    /** The console session's API key (routes under `/console`, once signed in). */
    consoleKey: string;
    /** The signed-in key's record: its project and role show in every page's header. */
    consoleIdentity: Pick<ApiKey, 'name' | 'project' | 'role'>;
  }
}

/** Where a signed-in person lands, and where `/` leads. */
const HOME = '/console/datasets';
const PUBLIC = /^\/console\/(sign-in|assets\/)/;

/** A local path to return to after sign-in (never another origin). */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/console\/[\w\-/?=&.%]*$/.test(value) ? value : HOME;
}

/**
 * The web console: server-rendered pages at `/` and `/console/…`, signed in with an API key kept
 * in a sealed HttpOnly SameSite=Strict cookie. Every panel calls the public `/v1` routes of this
 * same app in-process with that key; the browser's own calls go through `/console/api/v1/…` (the
 * same routes, forwarded) and `/console/predict/{model}` (forwarded to the inference function).
 */
export function registerConsole(app: OpenAPIHono, deps: ApiDeps): void {
  const sealer = new SessionSealer(deps.config.console.sessionSecret);
  const inferUrl = inferenceUrl(deps);
  const api = (c: Context) => new ConsoleApi(app, c.get('consoleKey'));

  app.get('/', (c) => c.redirect(HOME));
  app.get('/console', (c) => c.redirect(HOME));
  app.get('/console/assets/:file', async (c) => {
    const { body, type } = await readAsset(c.req.param('file'));
    return c.body(body as Uint8Array<ArrayBuffer>, 200, {
      'content-type': type,
      'cache-control': 'no-cache',
    });
  });

  const session: MiddlewareHandler = async function consoleSession(c, next) {
    if (PUBLIC.test(c.req.path)) return next();
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !sameOrigin(c)) {
      throw new PermissionError(
        'Refused: a console request that changes something must come from the console itself (its Origin header did not match)',
      );
    }
    const key = sessionKey(c, sealer);
    const identity = key ? await deps.apiKeys.verify(key).catch(() => undefined) : undefined;
    if (!identity) {
      if (key) endSession(c);
      const page =
        (c.req.method === 'GET' || c.req.method === 'HEAD') &&
        !/^\/console\/(api|predict)\//.test(c.req.path);
      if (page) {
        const next = encodeURIComponent(c.req.path + new URL(c.req.url).search);
        return c.redirect(`/console/sign-in?next=${next}`);
      }
      throw new AuthenticationError(
        'Not signed in to the console: sign in at /console/sign-in, or call /v1 with `Authorization: Bearer <api key>`',
      );
    }
    c.set('consoleKey', key!);
    c.set('consoleIdentity', {
      name: identity.name,
      project: identity.project,
      role: identity.role,
    });
    c.header('cache-control', 'no-store');
    await next();
  };
  // The pages' layout reads the signed-in identity from the request's context (AsyncLocalStorage).
  app.use('/console/*', contextStorage());
  app.use('/console/*', session);

  app.get('/console/sign-in', (c) => c.html(<SignInPage next={safeNext(c.req.query('next'))} />));
  app.post('/console/sign-in', async (c) => {
    if (!sameOrigin(c)) {
      throw new PermissionError('Refused: the sign-in form must be posted from the console itself');
    }
    const form = await c.req.parseBody();
    const key = typeof form.api_key === 'string' ? form.api_key.trim() : '';
    const next = safeNext(form.next);
    const ok = key
      ? await deps.apiKeys.verify(key).then(
          () => true,
          () => false,
        )
      : false;
    if (!ok) {
      return c.html(<SignInPage next={next} error="That API key is unknown or revoked." />, 401);
    }
    startSession(c, sealer, key);
    return c.redirect(next, 303);
  });
  app.post('/console/sign-out', (c) => {
    endSession(c);
    return c.redirect('/console/sign-in', 303);
  });

  app.all('/console/api/v1/*', (c) => forwardToApi(c, app, c.get('consoleKey')));
  app.post('/console/predict/:model', (c) => forwardToInfer(c, inferUrl, c.get('consoleKey')));

  app.get('/console/datasets', async (c) => {
    const list = await api(c).get('/v1/datasets?limit=100');
    return c.html(
      <DatasetsPage list={list.body} error={list.ok ? undefined : errorMessage(list)} />,
    );
  });
  app.get('/console/datasets/:id', async (c) => {
    const answer = await api(c).get(`/v1/datasets/${c.req.param('id')}`);
    if (!answer.ok) return notFound(c, 'Dataset', errorMessage(answer), answer.status);
    const images = answer.body.format === 'image_folder_zip' && answer.body.status === 'ready';
    const samples = images
      ? await api(c).get(`/v1/datasets/${answer.body.id}/samples?per_class=6`)
      : undefined;
    return c.html(<DatasetPage dataset={answer.body} samples={samples?.body?.data ?? []} />);
  });

  app.get('/console/jobs', async (c) => {
    const list = await api(c).get('/v1/fine-tuning/jobs?limit=100');
    return c.html(<JobsPage list={list.body} error={list.ok ? undefined : errorMessage(list)} />);
  });
  app.get('/console/jobs/new', async (c) => {
    const datasets = await api(c).get('/v1/datasets?limit=100');
    const values: Record<string, string> = {};
    for (const field of JOB_FORM_FIELDS) {
      const value = c.req.query(field);
      if (value !== undefined) values[field] = value;
    }
    return c.html(<JobNewPage datasets={datasets.body?.data ?? []} values={values} />);
  });
  app.post('/console/jobs/new', async (c) => {
    const form = await c.req.parseBody();
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries(form)) {
      if (typeof value === 'string') values[name] = value;
    }
    const body = formToJobBody(values);
    const datasets = (await api(c).get('/v1/datasets?limit=100')).body?.data ?? [];
    if (values.action === 'create') {
      const created = await api(c).send('POST', '/v1/fine-tuning/jobs', body);
      if (created.ok) return c.redirect(`/console/jobs/${created.body.id}`, 303);
      return c.html(
        <JobNewPage
          datasets={datasets}
          values={values}
          body={body}
          error={errorMessage(created)}
        />,
        created.status as 400,
      );
    }
    const plan = await api(c).send('POST', '/v1/fine-tuning/jobs/plan', body);
    return c.html(
      <JobNewPage
        datasets={datasets}
        values={values}
        body={body}
        plan={plan.ok ? plan.body : undefined}
        error={plan.ok ? undefined : errorMessage(plan)}
      />,
      plan.ok ? 200 : (plan.status as 400),
    );
  });
  app.get('/console/jobs/:id', async (c) => {
    const id = c.req.param('id');
    const job = await api(c).get(`/v1/fine-tuning/jobs/${id}`);
    if (!job.ok) return notFound(c, 'Job', errorMessage(job), job.status);
    const [metrics, events, trials, checkpoints] = await Promise.all([
      api(c).get(`/v1/fine-tuning/jobs/${id}/metrics`),
      api(c).get(`/v1/fine-tuning/jobs/${id}/events`),
      api(c).get(`/v1/fine-tuning/jobs/${id}/trials`),
      api(c).get(`/v1/fine-tuning/jobs/${id}/checkpoints`),
    ]);
    return c.html(
      <JobPage
        job={job.body}
        metrics={metrics.body?.data ?? []}
        events={events.body?.data ?? []}
        trials={trials.ok ? (trials.body?.data ?? []) : []}
        bestTrial={trials.ok ? (trials.body?.best ?? null) : null}
        checkpoints={checkpoints.ok ? (checkpoints.body?.data ?? []) : []}
      />,
    );
  });
  app.post('/console/jobs/:id/cancel', async (c) => {
    const id = c.req.param('id');
    const answer = await api(c).send('POST', `/v1/fine-tuning/jobs/${id}/cancel`);
    if (!answer.ok) return notFound(c, 'Job', errorMessage(answer), answer.status);
    return c.redirect(`/console/jobs/${id}`, 303);
  });

  app.get('/console/models', async (c) => {
    const list = await api(c).get('/v1/models?limit=100');
    return c.html(<ModelsPage list={list.body} error={list.ok ? undefined : errorMessage(list)} />);
  });
  app.get('/console/models/:id', async (c) => {
    const model = await api(c).get(`/v1/models/${c.req.param('id')}`);
    if (!model.ok) return notFound(c, 'Model', errorMessage(model), model.status);
    const dataset = await api(c).get(`/v1/datasets/${model.body.dataset}`);
    return c.html(<ModelPage model={model.body} dataset={dataset.body} inferUrl={inferUrl} />);
  });
  app.get('/console/models/:id/examples', async (c) => {
    const id = c.req.param('id');
    const query = new URLSearchParams();
    for (const name of ['split', 'true_label', 'predicted_label', 'after']) {
      const value = c.req.query(name);
      if (value) query.set(name, value);
    }
    query.set('limit', '60');
    const page = await api(c).get(`/v1/models/${id}/evaluation?${query}`);
    if (!page.ok) return notFound(c, 'Examples', errorMessage(page), page.status);
    const model = await api(c).get(`/v1/models/${id}`);
    return c.html(<ExamplesPage model={model.body} page={page.body} query={query} />);
  });
}

/** An API error for a page: the same status, the API's message. */
function notFound(c: Context, what: string, message: string, status: number) {
  return c.html(
    <Layout title={what}>
      <h1>{what}</h1>
      <ErrorBox message={message} />
    </Layout>,
    status as 404,
  );
}
