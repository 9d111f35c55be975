import { decodableFormat, ImageError } from '@trainyard/shared/images';
import type yauzl from 'yauzl';
import { type FolderLayout, type Placement, placeOf } from './folder-layout';
import { entryName } from './s3-zip-reader';

/**
 * The rules every reader of an image-folder zip shares (validation, which also writes what training
 * reads, the samples listing and the augmentation preview), so that they agree on which entries
 * are examples, of which class, and which are images.
 */

/** Bytes of an entry's start that `imageEntryProblem` needs to decide (the sniffer's widest look). */
export const IMAGE_HEAD_BYTES = 1024;

/** An entry's path: its decoded NFC name (`entryName`) with `\` (Windows zips) read as `/`. */
export function entryPath(entry: yauzl.Entry): string {
  return entryName(entry).replace(/\\/g, '/');
}

/**
 * Files every zip tool adds that are not examples (`__MACOSX/…`, dot files and folders,
 * `Thumbs.db`, `desktop.ini`): skipped, and counted in one `ignored_files` warning.
 */
export function isSystemFile(path: string): boolean {
  const parts = path.split('/');
  const base = parts.at(-1) ?? '';
  return (
    parts[0] === '__MACOSX' ||
    parts.some((p) => p.startsWith('.')) ||
    /^(thumbs\.db|desktop\.ini)$/i.test(base)
  );
}

/**
 * The class (normalized label, see `placeOf`) and split of a file entry at `path` (as
 * `entryPath` gives it) in `layout`, or undefined for a folder, a system file or a file outside
 * every class folder. Whether it is an image is decided from its bytes (`imageEntryProblem`).
 */
export function exampleOf(layout: FolderLayout, path: string): Placement | undefined {
  if (path.endsWith('/') || isSystemFile(path)) return undefined;
  return placeOf(layout, path);
}

/**
 * Whether an entry is an image training uses, from its first bytes (`IMAGE_HEAD_BYTES`, or the
 * whole file), never its name: `undefined` when it is one (a format that decodes: JPEG, PNG, WebP,
 * GIF, BMP, TIFF, AVIF), else the `ImageError` saying why not (`unknown_format`, or
 * `unsupported_format` for HEIC, SVG, …). A file whose header passes may still be corrupt; only a
 * decode (validation's) proves it whole.
 */
export function imageEntryProblem(head: Uint8Array): ImageError | undefined {
  try {
    decodableFormat(head);
    return undefined;
  } catch (error) {
    if (error instanceof ImageError) return error;
    throw error;
  }
}
