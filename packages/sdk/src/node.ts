import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';

/**
 * A file on disk as a `File` for uploads and predictions, read lazily (a large file is not
 * loaded into memory). `type` is its media type (default none). Node only: this is the
 * `@trainyard/sdk/node` entry. Throws the file system's error (ENOENT…) for a missing file.
 */
export async function fileFromPath(path: string, options: { type?: string } = {}): Promise<File> {
  const blob = await openAsBlob(path, options.type ? { type: options.type } : {});
  return new File([blob], basename(path), options.type ? { type: options.type } : {});
}
