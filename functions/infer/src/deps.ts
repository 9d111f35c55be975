import type { ApiKeyStore, Logger, Storage } from '@trainyard/shared';

/** Everything the inference function needs, created once per process. */
export interface InferDeps {
  readonly storage: Storage;
  readonly apiKeys: ApiKeyStore;
  readonly logger: Logger;
  readonly version: string;
}
