import type { AdmissionOptions } from '@trainyard/http';
import type { ImageDecoder } from '@trainyard/predict';
import type { JobQueue } from '@trainyard/queue';
import type { ApiKeyStore, Config, Logger, ProjectStore, Storage } from '@trainyard/shared';

/** Everything the API needs, created once per process and passed in (never module globals). */
export interface ApiDeps {
  readonly config: Config;
  readonly storage: Storage;
  readonly apiKeys: ApiKeyStore;
  readonly projects: ProjectStore;
  readonly logger: Logger;
  readonly version: string;
  /** Where jobs run. Default: from `config.queue` (`npm start` passes its local runner). */
  readonly queue?: JobQueue;
  /**
   * Limits per authenticated principal (`principalOf`: `key:<id>`), for limits per project; by
   * default every key has the configured ones (API_RATE_LIMIT, API_MAX_CONCURRENT_PER_KEY).
   */
  readonly limitsFor?: AdmissionOptions['limitsFor'];
  /**
   * The inference function's base URL, where the console's "try it" forwards predictions.
   * Default: `config.console.inferUrl`, else `http://<config.http.host>:<config.http.inferPort>`.
   */
  readonly inferUrl?: string;
  /**
   * How the augmentation preview decodes a dataset's images. Default: `portableImageDecoder`
   * (pure JavaScript, PNG and JPEG: the Lambda bundle has no native modules); on Node `npm start`
   * passes `sharpImageDecoder`, what training decodes with.
   */
  readonly imageDecoder?: ImageDecoder;
  /**
   * Called with a model's id once `DELETE /v1/models/{id}` has removed it. `npm start` passes its
   * inference function's `ModelCache.forget`, so the model stops answering at once; an inference
   * function elsewhere notices within its re-check interval (`ModelCacheOptions.revalidateMs`).
   */
  readonly onModelDeleted?: (id: string) => void;
}
