import {
  type Dataset,
  keys,
  NotFoundError,
  type Storage,
  UnprocessableError,
} from '@trainyard/shared';
import { sniffImageFormat } from '@trainyard/shared/images';
import type yauzl from 'yauzl';
import { detectLayout, type FolderLayout } from './folder-layout';
import { spellingKey } from './labels';
import { isSymlink, openZip, readEntry, S3ZipReader, zipEntries } from './s3-zip-reader';
import {
  entryPath,
  exampleOf,
  IMAGE_HEAD_BYTES,
  imageEntryProblem,
  isSystemFile,
} from './zip-examples';

/** Largest entry `readZipImage` returns: 16 MiB. */
export const MAX_SERVED_IMAGE_BYTES = 16 * 1024 * 1024;

/** Formats a browser shows, by the format sniffed from the bytes. */
const MEDIA_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  bmp: 'image/bmp',
  avif: 'image/avif',
  tiff: 'image/tiff',
};

function zipOf(storage: Storage, dataset: Dataset) {
  if (dataset.format !== 'image_folder_zip') {
    throw new UnprocessableError(
      `Dataset ${dataset.id} is a ${dataset.format} dataset; only image_folder_zip datasets hold image files`,
      { code: 'not_an_image_dataset', param: 'path.id' },
    );
  }
  if (!dataset.file || dataset.status === 'awaiting_upload') {
    throw new NotFoundError(`Dataset ${dataset.id} has no file yet (status ${dataset.status})`, {
      code: 'file_not_found',
      param: 'path.id',
    });
  }
  const size = dataset.file.bytes;
  return { reader: new S3ZipReader(storage, keys.datasetRaw(dataset.id), size), size };
}

/**
 * One image of an image-folder dataset, by its path in the zip as the evaluation's `reference.path`
 * and `sampleImages` name it (decoded, NFC). Reads the zip in S3 by ranges: its central directory,
 * then the one entry. Throws `NotFoundError` (`file_not_found`, param `query.path`) for a path the
 * zip lacks, `UnprocessableError` for an entry over `MAX_SERVED_IMAGE_BYTES` or not an image a
 * browser shows.
 */
export async function readZipImage(
  storage: Storage,
  dataset: Dataset,
  path: string,
): Promise<{ bytes: Buffer; mediaType: string }> {
  const { reader, size } = zipOf(storage, dataset);
  const zip = await openZip(reader, size);
  try {
    for await (const entry of zipEntries(zip)) {
      if (entryPath(entry) !== path || isSymlink(entry)) continue;
      if (entry.uncompressedSize > MAX_SERVED_IMAGE_BYTES) {
        throw new UnprocessableError(
          `${path} is ${entry.uncompressedSize} bytes; images are served up to ${MAX_SERVED_IMAGE_BYTES} bytes`,
          { code: 'file_too_large', param: 'query.path' },
        );
      }
      const bytes = await readEntry(zip, entry);
      const format = sniffImageFormat(bytes);
      const mediaType = format ? MEDIA_TYPES[format] : undefined;
      if (!mediaType) {
        throw new UnprocessableError(
          `${path} is ${format ? `a ${format} file` : 'not an image'}; expected a JPEG, PNG, WebP, GIF, BMP, AVIF or TIFF image`,
          { code: 'not_an_image', param: 'query.path' },
        );
      }
      return { bytes, mediaType };
    }
  } finally {
    zip.close();
  }
  throw new NotFoundError(
    `Dataset ${dataset.id} has no file ${JSON.stringify(path)}; paths are as inside the zip, e.g. "daisy/1.jpg"`,
    { code: 'file_not_found', param: 'query.path' },
  );
}

/**
 * Up to `perClass` image paths of each class of an image-folder dataset, in zip order: the
 * entries validation trained on, by the same rules (`exampleOf` for the class, `imageEntryProblem`
 * on each entry's first bytes for "is an image", whatever its name). Reads the central directory,
 * then the first `IMAGE_HEAD_BYTES` of entries until each class has its paths. Classes as the
 * report counts them (near-duplicate spellings merged into the class they were merged into).
 */
export async function sampleImages(
  storage: Storage,
  dataset: Dataset,
  perClass: number,
): Promise<Array<{ label: string; paths: string[] }>> {
  const classes = Object.keys(dataset.report?.stats?.classes ?? {});
  const samples = new Map<string, string[]>(classes.map((c) => [c, []]));
  const answer = () => [...samples].map(([label, list]) => ({ label, paths: list }));
  const { reader, size } = zipOf(storage, dataset);
  const zip = await openZip(reader, size);
  try {
    const entries: Array<{ entry: yauzl.Entry; path: string }> = [];
    for await (const entry of zipEntries(zip)) {
      if (!isSymlink(entry)) entries.push({ entry, path: entryPath(entry) });
    }
    let layout: FolderLayout;
    try {
      layout = detectLayout(
        entries.map((e) => e.path).filter((p) => !p.endsWith('/') && !isSystemFile(p)),
      );
    } catch {
      return answer(); // the report says why
    }
    const bySpelling = new Map(classes.map((c) => [spellingKey(c), c]));
    const merged = dataset.merge_near_duplicate_labels === true;
    for (const { entry, path } of entries) {
      const label = exampleOf(layout, path)?.label;
      if (label === undefined) continue;
      const list =
        samples.get(label) ??
        (merged ? samples.get(bySpelling.get(spellingKey(label)) ?? '') : undefined);
      if (!list || list.length >= perClass) continue;
      if (!imageEntryProblem(await readEntry(zip, entry, IMAGE_HEAD_BYTES))) list.push(path);
    }
  } finally {
    zip.close();
  }
  return answer();
}
