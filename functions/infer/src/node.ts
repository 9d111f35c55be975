import { listen } from '@trainyard/http';
import { openRuntimeOrExit, type Runtime } from '@trainyard/shared';
import type { ModelCache } from './model-cache';
import { prepareInferApp } from './prepare';

/** Serves the inference function on Node once it is prepared (`prepareInferApp`); resolves once listening. */
export async function startInferServer(
  runtime: Runtime,
  port = runtime.config.http.inferPort,
  options: { cache?: ModelCache } = {},
) {
  return listen(await prepareInferApp({ ...runtime, ...options }), runtime.config.http.host, port);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startInferServer(await openRuntimeOrExit('infer'));
}
