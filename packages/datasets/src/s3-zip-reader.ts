import { PassThrough, type Readable } from 'node:stream';
import type { Storage } from '@trainyard/shared';
import yauzl from 'yauzl';
import { decodeEntryName } from './zip-names';

/**
 * Lets yauzl read a zip that stays in S3, by byte ranges. Zips are read front to back, so one
 * read-ahead block of `blockSize` bytes serves most small reads; memory stays at one block (plus
 * a single larger entry when one is read whole).
 */
export class S3ZipReader extends yauzl.RandomAccessReader {
  private block: { start: number; data: Buffer } | undefined;

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

  /** Bytes [start, end). */
  async readRange(start: number, end: number): Promise<Buffer> {
    if (end <= start) return Buffer.alloc(0);
    const block = this.block;
    if (block && start >= block.start && end <= block.start + block.data.length) {
      return block.data.subarray(start - block.start, end - block.start);
    }
    if (end - start > this.blockSize) return this.fetch(start, end);
    const data = await this.fetch(start, Math.min(this.size, start + this.blockSize));
    this.block = { start, data };
    return data.subarray(0, end - start);
  }

  private async fetch(start: number, end: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.storage.getStream(this.key, { start, end: end - 1 })) {
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }
}

/** Opens a zip in S3 for reading its entries one at a time. */
export function openZip(reader: S3ZipReader, size: number): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromRandomAccessReader(
      reader,
      size,
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false },
      (error, zip) => (error ? reject(error) : resolve(zip!)),
    ),
  );
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

/** The whole (inflated, size-checked) content of one entry. */
export function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(error);
      const chunks: Buffer[] = [];
      stream!.on('data', (c: Buffer) => chunks.push(c));
      stream!.on('error', reject);
      stream!.on('end', () => resolve(Buffer.concat(chunks)));
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
