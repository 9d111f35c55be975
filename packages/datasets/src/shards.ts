import { keys, type Storage } from '@trainyard/shared';

export interface WrittenShard {
  readonly key: string;
  readonly examples: number;
  readonly bytes: number;
  /** Key of a JSON array of each example's reference, in shard order, when `add` was given them. */
  readonly references?: string;
}

/**
 * Collects examples into numbered shard objects (`keys.datasetShard`: `datasets/<id>/normalized/<name>-00000.<ext>`) of about
 * `maxBytes` each, holding at most one shard in memory. `add` is synchronous; the caller flushes
 * when `full` (or before an example that would overflow, see `fits`).
 */
export class ShardWriter {
  readonly shards: WrittenShard[] = [];
  private chunks: Array<Buffer | string> = [];
  private bytes = 0;
  private examples = 0;
  private references: Array<string | number> = [];

  constructor(
    private readonly storage: Storage,
    private readonly datasetId: string,
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

  /**
   * Strings are kept as strings until the shard is written: no small Buffer per row. `reference`
   * says where the example came from in the upload (an image's path in the zip, a row's or a
   * text's 1-based line number); given for every example, the shard gets a `references` array.
   */
  add(data: Buffer | string, reference?: string | number): void {
    this.chunks.push(data);
    if (reference !== undefined) this.references.push(reference);
    this.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.examples++;
  }

  /** Writes the current shard, if it holds anything. */
  async flush(): Promise<void> {
    if (this.examples === 0) return;
    const key = keys.datasetShard(this.datasetId, this.name, this.shards.length, this.ext);
    const body = this.chunks.every((c) => typeof c === 'string')
      ? Buffer.from(this.chunks.join(''), 'utf8')
      : Buffer.concat(this.chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
    this.chunks = [];
    await this.storage.putBytes(key, body, this.contentType);
    let references: string | undefined;
    if (this.references.length === this.examples) {
      references = keys.datasetShard(
        this.datasetId,
        this.name,
        this.shards.length,
        this.ext,
        'references',
      );
      await this.storage.putJson(references, this.references);
    }
    this.references = [];
    this.shards.push({
      key,
      examples: this.examples,
      bytes: this.bytes,
      ...(references ? { references } : {}),
    });
    this.chunks = [];
    this.bytes = 0;
    this.examples = 0;
  }
}
