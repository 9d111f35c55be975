import { listen } from '@trainyard/http';
import { openRuntimeOrExit } from '@trainyard/shared';
import { createApiApp } from './app';
import type { ApiDeps } from './deps';

/** Serves the API on Node; resolves once listening. */
export function startApiServer(deps: ApiDeps, port = deps.config.http.apiPort) {
  return listen(createApiApp(deps), deps.config.http.host, port);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startApiServer(await openRuntimeOrExit('api'));
}
