import { Transform } from 'node:stream';
import { Storage } from '@trainyard/shared';

/**
 * A real `Storage` that counts the reads of one key (a dataset's raw file, named once it is
 * known) and the bytes each brings from the S3 endpoint.
 */
export class CountingStorage extends Storage {
  /** GETs of the watched key (whole or ranged). */
  rawReads = 0;
  /** Bytes those GETs brought. */
  rawBytes = 0;
  constructor(
    s3: ConstructorParameters<typeof Storage>[0],
    bucket: string,
    private readonly rawKey: () => string | undefined,
  ) {
    super(s3, bucket);
  }
  override async getStream(key: string, range?: { start: number; end: number }) {
    const stream = await super.getStream(key, range);
    if (key !== this.rawKey()) return stream;
    this.rawReads++;
    return stream.pipe(
      new Transform({
        transform: (chunk: Buffer, _encoding, done) => {
          this.rawBytes += chunk.length;
          done(null, chunk);
        },
      }),
    );
  }
}
