import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createApiApp } from '@trainyard/api';
import { createInferApp } from '@trainyard/infer';
import { createRuntime, loadConfig } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';

// docs/API.md is where a user looks a route up: every route the API and the inference function
// register (their OpenAPI documents, as `/openapi.json` serves them) is named there.

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('docs/API.md', () => {
  it('names every route of both functions, as `METHOD /path`', async () => {
    const doc = await readFile(join(import.meta.dirname, '..', '..', 'docs', 'API.md'), 'utf8');
    // The apps as they serve `/openapi.json`, built in-process (nothing is connected to).
    const runtime = createRuntime(loadConfig({ LOG_LEVEL: 'silent' }), 'docs');
    const documents = await Promise.all(
      [createApiApp(runtime), createInferApp(runtime)].map(
        async (app) => (await app.request('/openapi.json')).json() as Promise<{ paths: object }>,
      ),
    );
    const routes = documents.flatMap((document) =>
      Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
        ([path, methods]) =>
          Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    expect(routes).toContain('GET /v1/datasets/{id}/rows.csv');
    // In code spans, possibly followed by a query string or a body: `GET /v1/x?limit=` counts.
    const missing = routes.filter((route) => !new RegExp(`\`${literal(route)}[\`?]`).test(doc));
    expect(missing).toEqual([]);
  });
});
