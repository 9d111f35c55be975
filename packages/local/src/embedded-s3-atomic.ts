import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** What of s3rver's filesystem store (s3rver/lib/stores/filesystem.js) this module wraps. */
export interface FilesystemStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<unknown>;
  getObject(bucket: string, key: string, options?: unknown): Promise<unknown>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
  putMetadata(bucket: string, key: string, metadata: unknown, md5?: string): Promise<void>;
  copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    replacementMetadata?: unknown,
  ): Promise<unknown>;
  deleteObject(bucket: string, key: string): Promise<void>;
}

/** The object s3rver hands its store's `putObject` (an S3Object). */
interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly metadata: unknown;
  readonly content: Buffer | Readable;
}

interface KeyState {
  readers: number;
  writer: Promise<void> | undefined;
  readonly drained: Array<() => void>;
}

/**
 * Readers-writer locks per object: reads (metadata, opening the file) share one, a write's commit
 * (metadata and the object's file put in place) holds it alone, after the reads under way.
 */
class KeyLocks {
  private readonly keys = new Map<string, KeyState>();

  private of(id: string): KeyState {
    let state = this.keys.get(id);
    if (!state) {
      state = { readers: 0, writer: undefined, drained: [] };
      this.keys.set(id, state);
    }
    return state;
  }

  private tidy(id: string, state: KeyState): void {
    if (state.readers === 0 && !state.writer && this.keys.get(id) === state) this.keys.delete(id);
  }

  async read<T>(id: string, fn: () => Promise<T>): Promise<T> {
    let state = this.of(id);
    while (state.writer) {
      await state.writer;
      state = this.of(id);
    }
    state.readers++;
    try {
      return await fn();
    } finally {
      state.readers--;
      if (state.readers === 0) for (const drained of state.drained.splice(0)) drained();
      this.tidy(id, state);
    }
  }

  async write<T>(id: string, fn: () => Promise<T>): Promise<T> {
    let state = this.of(id);
    while (state.writer) {
      await state.writer;
      state = this.of(id);
    }
    let release: () => void = () => {};
    state.writer = new Promise<void>((resolve) => {
      release = resolve;
    });
    const current = state;
    try {
      if (current.readers > 0) await new Promise<void>((resolve) => current.drained.push(resolve));
      return await fn();
    } finally {
      current.writer = undefined;
      release();
      this.tidy(id, current);
    }
  }
}

/**
 * Creates the file `path` and its folder. A delete of the folder's last object removes the folder
 * (s3rver tidies up): make it again if that came between.
 */
async function createFile(path: string): Promise<FileHandle> {
  for (let attempt = 1; ; attempt++) {
    await mkdir(dirname(path), { recursive: true });
    try {
      return await open(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 3) throw error;
    }
  }
}

/** Writes `content` whole to the new file `path`, flushed; its size and MD5 (hex). */
async function writeWhole(
  path: string,
  content: Buffer | Readable,
): Promise<{ size: number; md5: string }> {
  const file = await createFile(path);
  const md5 = createHash('md5');
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      md5.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const source = Buffer.isBuffer(content) ? [content] : content;
  await pipeline(source, count, file.createWriteStream());
  return { size, md5: md5.digest('hex') };
}

/**
 * Gives s3rver's filesystem store what S3 promises of one object: a PUT replaces it whole and is
 * on disk before it is answered, so that a GET, HEAD or listing during or right after it sees the
 * old object or the new one, never part of either. s3rver truncates the object's file and writes
 * it in place, and answers once it has read the body, before the file is flushed: a record read
 * during or just after its overwrite came back empty or cut (an API answering 500 to a poll of a
 * dataset being validated, in tests, on a user's laptop alike).
 *
 * Here a PUT writes the body to a file of its own beside the object's (`….partial`: listings only
 * show the object files) and, once it is flushed, puts the metadata and that file in place
 * (`rename`) while no read of the key is between its metadata and opening the file; reads wait
 * for such a commit. A copy and a delete hold the key the same way. Mutates and returns `store`.
 */
export function makeObjectWritesAtomic<S extends FilesystemStore>(store: S): S {
  const locks = new KeyLocks();
  const reading = new AsyncLocalStorage<string>();
  const id = (bucket: string, key: string) => `${bucket}/${key}`;
  const raw = {
    getMetadata: store.getMetadata.bind(store),
    getObject: store.getObject.bind(store),
    putMetadata: store.putMetadata.bind(store),
    copyObject: store.copyObject.bind(store),
    deleteObject: store.deleteObject.bind(store),
  };
  // getObject and copyObject read the metadata through `this.getMetadata`: under the lock they
  // already hold.
  const read = <T>(key: string, fn: () => Promise<T>): Promise<T> =>
    reading.getStore() === key ? fn() : locks.read(key, () => reading.run(key, fn));
  const write = <T>(key: string, fn: () => Promise<T>): Promise<T> =>
    locks.write(key, () => reading.run(key, fn));

  store.getMetadata = (bucket, key) => read(id(bucket, key), () => raw.getMetadata(bucket, key));
  store.getObject = (bucket, key, options) =>
    read(id(bucket, key), () => raw.getObject(bucket, key, options));
  store.putObject = async (object) => {
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    const partial = `${path}.${randomBytes(8).toString('hex')}.partial`;
    try {
      const written = await writeWhole(partial, object.content);
      await write(id(object.bucket, object.key), async () => {
        await raw.putMetadata(object.bucket, object.key, object.metadata, written.md5);
        await rename(partial, path);
      });
      return written;
    } finally {
      await rm(partial, { force: true });
    }
  };
  store.copyObject = (srcBucket, srcKey, destBucket, destKey, replacementMetadata) =>
    write(id(destBucket, destKey), () =>
      raw.copyObject(srcBucket, srcKey, destBucket, destKey, replacementMetadata),
    );
  // s3rver then removes the folders the delete left empty, unless another object's file appeared
  // in one meanwhile (ENOTEMPTY) or another delete removed it first (ENOENT): the object is gone.
  store.deleteObject = (bucket, key) =>
    write(id(bucket, key), () =>
      raw.deleteObject(bucket, key).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOTEMPTY' && error.code !== 'ENOENT') throw error;
      }),
    );
  return store;
}
