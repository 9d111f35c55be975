import { createHash, createHmac } from 'node:crypto';

/** What `@smithy/signature-v4` hashes: a string or bytes. */
export type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytes = (data: SourceData): string | Buffer =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/**
 * The `Checksum` constructor `SignatureV4` takes (`sha256`), from node:crypto: SHA-256, or
 * HMAC-SHA-256 when given a key. (`@aws-crypto/sha256-js` does the same in pure JavaScript;
 * node:crypto is native and already here.)
 */
export class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}
