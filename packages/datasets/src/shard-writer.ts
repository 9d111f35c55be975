import type { Storage } from '@trainyard/shared';

export interface WrittenShard {
  readonly key: string;
  readonly examples: number;
  readonly bytes: number;
}

/**
 * Writes examples into numbered shard objects (`<prefix><name>-00000.<ext>`) of about
 * `maxBytes` each, holding at most one shard in memory.
 */
export class ShardWriter {
  readonly shards: WrittenShard[] = [];
  private chunks: Buffer[] = [];
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

  /** Index the next shard written will have. */
  get shardIndex(): number {
    return this.shards.length;
  }

  /** Flushes first if `size` more bytes would overflow a non-empty shard. */
  async reserve(size: number): Promise<void> {
    if (this.bytes > 0 && this.bytes + size > this.maxBytes) await this.flush();
  }

  async append(data: Buffer | string): Promise<void> {
    const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await this.reserve(buffer.length);
    this.chunks.push(buffer);
    this.bytes += buffer.length;
    this.examples++;
  }

  /** Writes the current shard, if it holds anything. Returns its key. */
  async flush(): Promise<string | undefined> {
    if (this.examples === 0) return undefined;
    const key = `${this.prefix}${this.name}-${String(this.shards.length).padStart(5, '0')}.${this.ext}`;
    await this.storage.putBytes(key, Buffer.concat(this.chunks), this.contentType);
    this.shards.push({ key, examples: this.examples, bytes: this.bytes });
    this.chunks = [];
    this.bytes = 0;
    this.examples = 0;
    return key;
  }
}
