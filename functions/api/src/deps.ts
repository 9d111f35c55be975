import type { ApiKeyStore, Config, Logger, Storage } from '@trainyard/shared';

/** Everything the API needs, created once per process and passed in (never module globals). */
export interface ApiDeps {
  readonly config: Config;
  readonly storage: Storage;
  readonly apiKeys: ApiKeyStore;
  readonly logger: Logger;
  readonly version: string;
}
