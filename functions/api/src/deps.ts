import type { JobQueue } from '@trainyard/queue';
import type { ApiKeyStore, Config, Logger, Storage } from '@trainyard/shared';

/** Everything the API needs, created once per process and passed in (never module globals). */
export interface ApiDeps {
  readonly config: Config;
  readonly storage: Storage;
  readonly apiKeys: ApiKeyStore;
  readonly logger: Logger;
  readonly version: string;
  /** Where jobs run. Default: from `config.queue` (`npm start` passes its local runner). */
  readonly queue?: JobQueue;
  /**
   * The inference function's base URL, where the console's "try it" forwards predictions.
   * Default: `config.console.inferUrl`, else `http://<config.http.host>:<config.http.inferPort>`.
   */
  readonly inferUrl?: string;
}
