import {
  type DatasetManifest,
  type ImageIndexEntry,
  imageIndexEntrySchema,
  keys,
  type Storage,
} from '@trainyard/shared';
import { z } from 'zod';

/*
 * The normalized dataset's shard format, written and read here only (validation writes it, the
 * trainer and the CSV download read it):
 * - tables and texts: JSON Lines, one record a line (a row's cells as an array in column order;
 *   a text as `{"text", "label"}`);
 * - images: the encoded files back to back, with an index (`ImageIndexEntry` per image);
 * - either: optionally a JSON array of each example's reference in the upload, in shard order.
 */

export interface WrittenShard {
  readonly key: string;
  readonly examples: number;
  readonly bytes: number;
  /** Key of a JSON array of each example's reference, in shard order, when `add` was given them. */
  readonly references?: string;
}

/**
 * Collects examples into numbered shard objects of about `maxBytes` each (`keys.datasetShard`:
 * `datasets/<id>/normalized/<name>-00000.<ext>`), holding at most one shard in memory. `add` is
 * synchronous; the caller flushes when `full` (or before an example that would overflow, see
 * `fits`).
 */
export class ShardWriter {
  readonly shards: WrittenShard[] = [];
  /*
   * The shard's bytes, copied in as each example arrives, and reused from shard to shard. Rows
   * used to be kept as strings until the flush: 16 MiB of rows is ~190k strings that outlive the
   * young generation, so V8 promoted them, and a 256 MiB CSV left 100-200 MiB of dead shards in
   * the old generation between full collections, an amount that varied from run to run. Copied at
   * once, each row's string dies young and the shard costs one buffer.
   */
  private buffer = Buffer.allocUnsafe(0);
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
   * Appends one JSON Lines record already serialized (`JSON.stringify` of a row or a text).
   * `reference` says where the example came from in the upload (an image's path in the zip, a
   * row's or a text's 1-based line number); given for every example, the shard gets a
   * `references` array.
   */
  addJsonLine(json: string, reference?: string | number): void {
    const size = Buffer.byteLength(json) + 1;
    this.reserve(size);
    this.buffer.write(json, this.bytes, 'utf8');
    this.buffer[this.bytes + size - 1] = 0x0a;
    this.added(size, reference);
  }

  /** Appends one example's bytes (an encoded image), copied: the caller may reuse `data`. */
  add(data: Uint8Array, reference?: string | number): void {
    this.reserve(data.length);
    this.buffer.set(data, this.bytes);
    this.added(data.length, reference);
  }

  private added(size: number, reference: string | number | undefined): void {
    if (reference !== undefined) this.references.push(reference);
    this.bytes += size;
    this.examples++;
  }

  /**
   * Grows the buffer so that `size` more bytes fit: doubling from 64 KiB, but to no more than a
   * shard and one more MiB (a shard is flushed once full, so it ends at most one example past
   * `maxBytes`) unless one example needs more.
   */
  private reserve(size: number): void {
    const needed = this.bytes + size;
    if (needed <= this.buffer.length) return;
    const doubled = Math.min(2 * this.buffer.length, this.maxBytes + 1024 * 1024);
    const grown = Buffer.allocUnsafe(Math.max(needed, doubled, 64 * 1024));
    this.buffer.copy(grown, 0, 0, this.bytes);
    this.buffer = grown;
  }

  /** Writes the current shard, if it holds anything. */
  async flush(): Promise<void> {
    if (this.examples === 0) return;
    const key = keys.datasetShard(this.datasetId, this.name, this.shards.length, this.ext);
    // The buffer is reused once the PUT has resolved: the SDK holds the body no longer.
    await this.storage.putBytes(key, this.buffer.subarray(0, this.bytes), this.contentType);
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
    this.bytes = 0;
    this.examples = 0;
  }
}

/** Writes the index of image shard `n` (0-based) of dataset `datasetId`; returns its key. */
export async function writeImageIndex(
  storage: Storage,
  datasetId: string,
  n: number,
  entries: readonly ImageIndexEntry[],
): Promise<string> {
  const key = keys.datasetShard(datasetId, 'images', n, 'bin', 'index');
  await storage.putJson(key, entries);
  return key;
}

type ShardRef = DatasetManifest['shards'][number];

/**
 * Where an example came from in the upload: an image's path inside the zip, a row's or a text's
 * 1-based line number; null for datasets validated before references were kept.
 */
export type ShardReference = string | number | null;

const referencesSchema = z.array(z.union([z.string(), z.number()]));
const indexSchema = z.array(imageIndexEntrySchema);

/** A shard's example references, or nulls when the shard was written without them. */
export async function readShardReferences(
  storage: Storage,
  shard: Pick<ShardRef, 'examples' | 'references'>,
): Promise<ShardReference[]> {
  if (!shard.references) return new Array<ShardReference>(shard.examples).fill(null);
  return storage.getJson(shard.references, referencesSchema);
}

/**
 * The records of a JSON Lines shard (a table's or texts'), parsed, in order. `T` is what the
 * caller knows the dataset holds (`Cell[]` rows, `{ text, label }` texts): not checked here.
 */
export async function readShardRecords<T>(
  storage: Storage,
  shard: Pick<ShardRef, 'key'>,
): Promise<T[]> {
  const text = Buffer.from(await storage.getBytes(shard.key)).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}

/** An image shard's bytes with its index: image i is `data.subarray(offset, offset + length)`. */
export async function readImageShard(
  storage: Storage,
  shard: Pick<ShardRef, 'key'> & { readonly index: string },
): Promise<{ data: Uint8Array; index: ImageIndexEntry[] }> {
  const [data, index] = await Promise.all([
    storage.getBytes(shard.key),
    storage.getJson(shard.index, indexSchema),
  ]);
  return { data, index };
}

/**
 * Rewrites a JSON Lines shard in place, each record through `map`; returns the new byte count.
 * Reads and writes the one shard.
 */
export async function rewriteShardRecords<T>(
  storage: Storage,
  shard: Pick<ShardRef, 'key'>,
  map: (record: T) => T,
  contentType = 'application/x-ndjson',
): Promise<number> {
  const records = await readShardRecords<T>(storage, shard);
  const body = records.map((r) => `${JSON.stringify(map(r))}\n`).join('');
  await storage.putBytes(shard.key, body, contentType);
  return Buffer.byteLength(body);
}
