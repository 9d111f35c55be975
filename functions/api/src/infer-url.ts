import type { ApiDeps } from './deps';

/**
 * The inference function's base URL as this API knows it: `deps.inferUrl` (what `npm start`
 * passes), else `CONSOLE_INFER_URL`, else `http://HOST:INFER_PORT`. The console forwards "try it"
 * there, and a prediction sent to the API by mistake is told to go there.
 */
export function inferenceUrl(deps: ApiDeps): string {
  const { host, inferPort } = deps.config.http;
  return deps.inferUrl ?? deps.config.console.inferUrl ?? `http://${host}:${inferPort}`;
}
