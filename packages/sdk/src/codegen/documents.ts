import { createApiApp } from '@trainyard/api';
import { createInferApp } from '@trainyard/infer';
import { createRuntime, loadConfig } from '@trainyard/shared';

/** An OpenAPI 3.1 document, as the services serve it at `/openapi.json`. */
export type OpenApiDocument = Record<string, unknown>;

/**
 * The API's and the inference function's OpenAPI documents, taken in-process from their Hono
 * apps exactly as `GET /openapi.json` serves them. Builds the apps on a default configuration;
 * nothing is connected to (no S3 call is made).
 */
export async function openApiDocuments(): Promise<{
  api: OpenApiDocument;
  infer: OpenApiDocument;
}> {
  const runtime = createRuntime(loadConfig({ LOG_LEVEL: 'silent' }), 'openapi');
  const read = async (app: { request(path: string): Response | Promise<Response> }) => {
    const res = await app.request('/openapi.json');
    if (!res.ok) throw new Error(`GET /openapi.json answered ${res.status}`);
    return (await res.json()) as OpenApiDocument;
  };
  return { api: await read(createApiApp(runtime)), infer: await read(createInferApp(runtime)) };
}
