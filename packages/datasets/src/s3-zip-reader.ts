import { PassThrough, type Readable } from 'node:stream';
import type { Storage } from '@trainyard/shared';
import yauzl from 'yauzl';
import { decodeEntryName } from './zip-names';

/** The central directory is kept in memory up to this size (else read through the block). */
const MAX_PINNED_BYTES = 64 * 1024 * 1024;

/**
 * Lets yauzl read a zip that stays in S3, by byte ranges, each byte about once:
 * - the central directory (the zip's tail, from its offset to the end) is read once and kept
 *   (`pinTail`, up to 64 MiB), so listing the entries, however often, reads S3 once;
 * - the entries' data are read front to back (callers read entries in file order), through one
 *   read-ahead block of `blockSize` bytes: memory stays at one block (plus a single larger entry
 *   when one is read whole), and the bytes fetched stay near the file's size.
 * Before the tail was kept, listing the directory and reading an entry evicted each other's
 * block: a zip of 100k tiny entries fetched an 8 MiB block per entry (3,100× the file).
 */
export class S3ZipReader extends yauzl.RandomAccessReader {
  private block: { start: number; data: Buffer } | undefined;
  private pinned: { start: number; data: Buffer } | undefined;
  /** Bytes fetched from S3 so far. */
  bytesFetched = 0;

  constructor(
    private readonly storage: Storage,
    private readonly key: string,
    private readonly size: number,
    private readonly blockSize = 8 * 1024 * 1024,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    this.readRange(start, end).then(
      (data) => out.end(data),
      (error: Error) => out.destroy(error),
    );
    return out;
  }

  /** Keeps bytes [start, size) in memory (the central directory), unless over 64 MiB. */
  async pinTail(start: number): Promise<void> {
    if (this.pinned && this.pinned.start <= start) return;
    if (this.size - start > MAX_PINNED_BYTES || start < 0 || start >= this.size) return;
    const block = this.block;
    const data =
      block && start >= block.start && block.start + block.data.length >= this.size
        ? block.data.subarray(start - block.start)
        : await this.fetch(start, this.size);
    this.pinned = { start, data };
  }

  /** Bytes [start, end). */
  async readRange(start: number, end: number): Promise<Buffer> {
    if (end <= start) return Buffer.alloc(0);
    for (const kept of [this.pinned, this.block]) {
      if (kept && start >= kept.start && end <= kept.start + kept.data.length) {
        return kept.data.subarray(start - kept.start, end - kept.start);
      }
    }
    if (end - start > this.blockSize) return this.fetch(start, end);
    // Read ahead up to the block size, but not into the kept tail.
    const stop = this.pinned && start < this.pinned.start ? this.pinned.start : this.size;
    const data = await this.fetch(start, Math.max(end, Math.min(stop, start + this.blockSize)));
    this.block = { start, data };
    return data.subarray(0, end - start);
  }

  private async fetch(start: number, end: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.storage.getStream(this.key, { start, end: end - 1 })) {
      chunks.push(chunk as Buffer);
    }
    const data = Buffer.concat(chunks);
    this.bytesFetched += data.length;
    return data;
  }
}

/**
 * Opens a zip in S3 for reading its entries one at a time, and keeps its central directory in
 * the reader's memory (`pinTail`).
 */
export async function openZip(reader: S3ZipReader, size: number): Promise<yauzl.ZipFile> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromRandomAccessReader(
      reader,
      size,
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false },
      (error, zip) => (error ? reject(error) : resolve(zip!)),
    ),
  );
  // Before any entry is read, yauzl's cursor is the central directory's offset.
  const cursor = (zip as unknown as { readEntryCursor?: number }).readEntryCursor;
  if (typeof cursor === 'number') await reader.pinTail(cursor);
  return zip;
}

/** The entries of an open zip, in file order (by their local header's offset), listed once. */
export async function entriesInFileOrder(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  const entries: yauzl.Entry[] = [];
  for await (const entry of zipEntries(zip)) entries.push(entry);
  return entries.sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
}

/** The entries of an open zip, in central-directory order. */
export async function* zipEntries(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  for (;;) {
    const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
      const onEntry = (e: yauzl.Entry) => {
        cleanup();
        resolve(e);
      };
      const onEnd = () => {
        cleanup();
        resolve(undefined);
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const cleanup = () => {
        zip.off('entry', onEntry);
        zip.off('end', onEnd);
        zip.off('error', onError);
      };
      zip.on('entry', onEntry);
      zip.on('end', onEnd);
      zip.on('error', onError);
      zip.readEntry();
    });
    if (!entry) return;
    yield entry;
  }
}

/**
 * The whole (inflated, size-checked) content of one entry, or with `maxBytes` its first `maxBytes`
 * bytes (fewer when it is shorter), inflating no further than that.
 */
export function readEntry(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(error);
      const chunks: Buffer[] = [];
      let got = 0;
      const done = () => {
        stream!.removeAllListeners('data');
        stream!.destroy();
        resolve(Buffer.concat(chunks).subarray(0, Math.min(got, maxBytes)));
      };
      stream!.on('data', (c: Buffer) => {
        chunks.push(c);
        got += c.length;
        if (got >= maxBytes) done();
      });
      stream!.on('error', (e) => (got >= maxBytes ? undefined : reject(e)));
      stream!.on('end', done);
    });
  });
}

/**
 * An entry's name as the user saw it when zipping, NFC-normalized (see `decodeEntryName` for the
 * rules: the UTF-8 flag, the Info-ZIP Unicode Path field, unflagged UTF-8, else CP437).
 */
export function entryName(entry: yauzl.Entry): string {
  return decodeEntryName(entry).name;
}

/** True for symbolic links (Unix mode in the high bits of the external attributes). */
export function isSymlink(entry: yauzl.Entry): boolean {
  return ((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000;
}
