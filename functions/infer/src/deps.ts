import type { AdmissionOptions, LoopDelay } from '@trainyard/http';
import type { ApiKeyStore, Config, Logger, Storage } from '@trainyard/shared';
import type { ModelCache } from './model-cache';

/** The reads the inference function makes of S3 (models, the readiness check). */
export type InferStorage = Pick<Storage, 'check' | 'head' | 'getBytes' | 'tryGetJson'>;

/** Everything the inference function needs, created once per process. */
export interface InferDeps {
  readonly config: Config;
  /** What the function reads of the bucket: `Storage` on Node, `FetchStorage` on the edge. */
  readonly storage: InferStorage;
  readonly apiKeys: ApiKeyStore;
  readonly logger: Logger;
  readonly version: string;
  /** The model cache; by default one from `config.infer` (tests and warm-up pass their own). */
  readonly cache?: ModelCache;
  /**
   * Limits per authenticated principal (`principalOf`: `key:<id>`), for limits per project; by
   * default every key has the configured ones (INFER_RATE_LIMIT, INFER_MAX_CONCURRENT_PER_KEY).
   */
  readonly limitsFor?: AdmissionOptions['limitsFor'];
  /**
   * The event loop's delay, taken from each model's latency budget at admission
   * (`LatencyLanes`); `prepareInferApp` passes the process's (`processLoopDelay`). Default: none.
   */
  readonly loopDelay?: LoopDelay;
}
