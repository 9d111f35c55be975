import { listen, ProcessAdmission, processLoopDelay } from '@trainyard/http';
import { openRuntimeOrExit, type Runtime } from '@trainyard/shared';
import type { ModelCache } from './model-cache';
import { prepareInferApp } from './prepare';

/** The requests the process-wide admission counts: predictions (`POST /v1/…`), not health checks. */
const isPrediction = (method: string, url: string) => method === 'POST' && url.startsWith('/v1/');

/**
 * Serves the inference function on Node once it is prepared (`prepareInferApp`); resolves once
 * listening. Predictions pass the process's admission first (`ProcessAdmission`: a prebuilt 503
 * with `Retry-After` before the body, the key or the model is read, while the process holds what
 * it answers within `INFER_LATENCY_BUDGET_MS`, or `INFER_MAX_IN_FLIGHT`).
 */
export async function startInferServer(
  runtime: Runtime,
  port = runtime.config.http.inferPort,
  options: { cache?: ModelCache } = {},
) {
  const { latencyBudgetMs, maxInFlight } = runtime.config.admission.infer;
  const admission = new ProcessAdmission({
    budgetMs: latencyBudgetMs,
    budgetVariable: 'INFER_LATENCY_BUDGET_MS',
    maxInFlight,
    loopDelay: processLoopDelay(),
    applies: isPrediction,
  });
  return listen(await prepareInferApp({ ...runtime, ...options }), runtime.config.http.host, port, {
    admission,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startInferServer(await openRuntimeOrExit('infer'));
}
