import type { Storage } from '@trainyard/shared';

export interface WrittenShard {
  readonly key: string;
  readonly examples: number;
  readonly bytes: number;
}

/**
 * Collects examples into numbered shard objects (`<prefix><name>-00000.<ext>`) of about
 * `maxBytes` each, holding at most one shard in memory. `add` is synchronous; the caller flushes
 * when `full` (or before an example that would overflow, see `fits`).
 */
export class ShardWriter {
  readonly shards: WrittenShard[] = [];
  private chunks: Array<Buffer | string> = [];
  private bytes = 0;
  private examples = 0;

  constructor(
    private readonly storage: Storage,
    private readonly prefix: string,
    private readonly name: string,
    private readonly ext: string,
    private readonly maxBytes: number,
    private readonly contentType = 'application/octet-stream',
  ) {}

  /** Byte offset the next example will have inside the current shard. */
  get offset(): number {
    return this.bytes;
  }

  get full(): boolean {
    return this.bytes >= this.maxBytes;
  }

  /** False when `size` more bytes would overflow a shard that already holds something. */
  fits(size: number): boolean {
    return this.bytes === 0 || this.bytes + size <= this.maxBytes;
  }

  /** Strings are kept as strings until the shard is written: no small Buffer per row. */
  add(data: Buffer | string): void {
    this.chunks.push(data);
    this.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.examples++;
  }

  /** Writes the current shard, if it holds anything. */
  async flush(): Promise<void> {
    if (this.examples === 0) return;
    const key = `${this.prefix}${this.name}-${String(this.shards.length).padStart(5, '0')}.${this.ext}`;
    const body = this.chunks.every((c) => typeof c === 'string')
      ? Buffer.from(this.chunks.join(''), 'utf8')
      : Buffer.concat(this.chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
    this.chunks = [];
    await this.storage.putBytes(key, body, this.contentType);
    this.shards.push({ key, examples: this.examples, bytes: this.bytes });
    this.chunks = [];
    this.bytes = 0;
    this.examples = 0;
  }
}
