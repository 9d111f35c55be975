declare module 's3rver' {
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: Array<{ name: string; configs?: Array<string | Buffer> }>;
  }

  export default class S3rver {
    constructor(options?: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}

declare module 's3rver' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export default interface S3rver {
    /** Creates the configured buckets (what `run` does before listening). */
    configureBuckets(): Promise<void>;
    /** Koa's request handler, for a server of one's own. */
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}

declare module 's3rver/lib/models/account.js' {
  interface AWSAccount {
    createKeyPair(accessKeyId: string, secretAccessKey: string): void;
    revokeAccessKey(accessKeyId: string): void;
  }
  const Account: { DUMMY_ACCOUNT: AWSAccount };
  export default Account;
}

declare module 's3rver' {
  export default interface S3rver {
    /** The filesystem store behind the server. */
    readonly store: {
      /** The object's metadata, `etag` quoted as in HTTP; rejects when there is no object. */
      getMetadata(bucket: string, key: string): Promise<{ etag: string }>;
    };
  }
}
