import { type DatasetSplit, type ImageIndexEntry, keys, type SplitCounts } from '@trainyard/shared';
import {
  checkPlainPng,
  corruptImage,
  ImageError,
  type ImageHeader,
  namedLikeImage,
  openImage,
  probeImage,
} from '@trainyard/shared/images';
import type yauzl from 'yauzl';
import { checkClasses } from './class-checks';
import { DuplicateCounter } from './duplicates';
import {
  describeLayout,
  detectLayout,
  type FolderLayout,
  placeOf,
  warnMissingClasses,
} from './folder-layout';
import { checkLabelSpellings } from './labels';
import { FatalDatasetError, type ReportBuilder } from './report';
import {
  entriesInFileOrder,
  entryName,
  isSymlink,
  openZip,
  readEntry,
  S3ZipReader,
  zipEntries,
} from './s3-zip-reader';
import { ShardWriter, writeImageIndex } from './shards';
import { Summary, sortedCounts } from './summary';
import type { ValidationContext, ValidationResult } from './validation';
import { entryPath, exampleOf, isSystemFile } from './zip-examples';

/** Sides above this many pixels get a "very large image" warning (training resizes them anyway). */
const LARGE_SIDE = 4096;
const ZIP_MAGIC = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];

/** Rejects names that could escape a folder if anyone extracted the archive. */
function checkPath(name: string): string {
  const path = name.replace(/\\/g, '/');
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path)) {
    throw new FatalDatasetError(
      'zip_unsafe_path',
      `Entry ${JSON.stringify(name)} has an absolute path; expected paths relative to the archive`,
      name,
    );
  }
  if (path.split('/').includes('..')) {
    throw new FatalDatasetError(
      'zip_unsafe_path',
      `Entry ${JSON.stringify(name)} climbs out of the archive with ".."; expected paths inside it`,
      name,
    );
  }
  return path;
}

/** Pass 1, over the central directory only: safety checks and the folder layout. */
async function scan(ctx: ValidationContext, zip: yauzl.ZipFile, size: number) {
  const { limits } = ctx;
  if (zip.entryCount > limits.zipEntries) {
    throw new FatalDatasetError(
      'zip_too_many_entries',
      `The archive has ${zip.entryCount} entries; at most ${limits.zipEntries} are accepted`,
    );
  }
  let total = 0;
  const paths: string[] = [];
  // Whether the central directory lists the entries in file order (every zip tool writes it so).
  let inFileOrder = true;
  let lastOffset = -1;
  for await (const entry of zipEntries(zip)) {
    if (entry.relativeOffsetOfLocalHeader < lastOffset) inFileOrder = false;
    lastOffset = entry.relativeOffsetOfLocalHeader;
    const name = entryName(entry);
    const path = checkPath(name);
    if (isSymlink(entry)) {
      throw new FatalDatasetError(
        'zip_symlink',
        `Entry ${JSON.stringify(name)} is a symbolic link; expected regular files only`,
        name,
      );
    }
    total += entry.uncompressedSize;
    if (total > limits.zipTotalBytes) {
      throw new FatalDatasetError(
        'zip_too_large',
        `The archive expands to more than ${limits.zipTotalBytes} bytes; that is the cap`,
      );
    }
    if (
      entry.uncompressedSize > 1024 * 1024 &&
      entry.uncompressedSize / Math.max(1, entry.compressedSize) > limits.zipRatio
    ) {
      throw new FatalDatasetError(
        'zip_bomb',
        `Entry ${JSON.stringify(name)} expands ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))}× (${entry.uncompressedSize} bytes); at most ${limits.zipRatio}× is accepted`,
        name,
      );
    }
    if (path.endsWith('/') || isSystemFile(path)) continue;
    paths.push(path);
  }
  if (total > 1024 * 1024 && total / Math.max(1, size) > limits.zipRatio) {
    throw new FatalDatasetError(
      'zip_bomb',
      `The archive expands ${Math.round(total / size)}× to ${total} bytes; at most ${limits.zipRatio}× is accepted`,
    );
  }
  return { layout: detectLayout(paths), inFileOrder };
}

/** The class folder (`red/`, `data/train/red/`), as named in the zip, of a placed `path` in `layout`. */
function classFolderOf(layout: FolderLayout, path: string): string {
  const parts = path.slice(layout.root.length).split('/');
  return `${layout.root}${parts.slice(0, layout.splitFolders.size ? 2 : 1).join('/')}/`;
}

/**
 * Warns (`empty_class_folder`) for each class folder that holds no image (empty, or only files
 * that are not images): it is no class, so a model trained on the zip cannot predict it.
 */
function warnEmptyClassFolders(
  report: ReportBuilder,
  folders: ReadonlyMap<string, ReadonlySet<string>>,
  classes: ReadonlyMap<string, number>,
): void {
  for (const [label, paths] of folders) {
    if (classes.get(label)) continue;
    const shown = [...paths].sort();
    report.warn(
      'empty_class_folder',
      `The class folder${shown.length > 1 ? 's' : ''} ${shown.join(', ')} hold${shown.length > 1 ? '' : 's'} no images, so there is no class ${JSON.stringify(label)}; put its images in it, or remove it`,
      shown[0],
    );
  }
}

/** One image's problem in the report: what it is, and whether the rest of the dataset goes on. */
function reportImageError(ctx: ValidationContext, where: string, error: ImageError): void {
  const { report, limits } = ctx;
  if (error.problem === 'too_many_pixels') {
    const { width, height } = error.size!;
    report.error(
      'image_too_many_pixels',
      `${where} declares ${width}×${height} pixels; at most ${limits.imagePixels} pixels are accepted`,
      where,
    );
  } else if (error.problem === 'corrupt') {
    report.error('unreadable_image', error.describe(where), where);
  } else if (error.problem === 'unsupported_format') {
    // A known format with no decoder here (an iPhone's HEIC among JPEGs): the others still train.
    report.warn('unsupported_image_format', `${error.describe(where)}; it was skipped`, where);
  } else if (namedLikeImage(where)) {
    report.error('not_an_image', `${where} is named like an image but ${error.message}`, where);
  } else {
    report.warn('not_an_image', `${error.describe(where)}; it was skipped`, where);
  }
}

/**
 * Header first (format by magic bytes, pixel cap before any decoding), then a full decode to prove
 * the file is whole. Sides are as a viewer shows the image (after EXIF orientation).
 */
async function inspect(
  ctx: ValidationContext,
  bytes: Buffer,
  where: string,
): Promise<ImageHeader | undefined> {
  const { report, limits } = ctx;
  // A plain 8-bit grey or RGB PNG is proven whole here, on this thread (`checkPlainPng`);
  // anything else goes through sharp: its header, then a decode.
  let header: ImageHeader | undefined = checkPlainPng(bytes, limits.imagePixels);
  try {
    if (!header) {
      header = await probeImage(bytes, { maxPixels: limits.imagePixels });
      const { format, image } = openImage(bytes, { maxPixels: limits.imagePixels });
      await image
        .resize(8, 8, { fit: 'fill' })
        .raw()
        .toBuffer()
        .catch((error: unknown) => {
          throw corruptImage(format, error);
        });
    }
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    reportImageError(ctx, where, error);
    return undefined;
  }
  const { width, height } = header;
  if (width > LARGE_SIDE || height > LARGE_SIDE) {
    report.warn(
      'large_image',
      `${where} is ${width}×${height}; images are resized for training, so smaller files upload and train faster`,
      where,
    );
  }
  return header;
}

/**
 * `image_folder_zip`: top folders are class names, or split folders (`train/`, `val/`, `test/`)
 * that hold the class folders, either optionally inside one wrapping folder (see
 * `detectLayout`); entry names are decoded as `decodeEntryName` says (NFC). Reads the zip in S3 by ranges (never the whole
 * file; the central directory once, the entries in file order through a bounded read-ahead, so
 * the bytes read stay near the file's size), checks every entry, decodes every image once, and writes shards of the images' original
 * bytes with an index, for training.
 */
export async function validateImages(ctx: ValidationContext): Promise<ValidationResult> {
  const { storage, dataset, report, limits, size } = ctx;
  const rawKey = keys.datasetRaw(dataset.id);
  const reader = new S3ZipReader(storage, rawKey, size);
  const head = await reader.readRange(0, Math.min(4, size));
  if (!ZIP_MAGIC.some((m) => head.equals(m))) {
    throw new FatalDatasetError(
      'not_a_zip',
      `The file is not a zip archive (it starts with 0x${head.toString('hex')}); expected format image_folder_zip`,
    );
  }
  const open = async () => {
    try {
      return await openZip(reader, size);
    } catch (error) {
      throw new FatalDatasetError(
        'zip_corrupt',
        `The zip archive cannot be read: ${(error as Error).message}`,
      );
    }
  };

  const first = await open();
  const { layout, inFileOrder } = await scan(ctx, first, size).finally(() => first.close());
  const splitted = layout.splitFolders.size > 0;
  if (splitted) report.warn('split_folders', describeLayout(layout), layout.root || undefined);

  const zip = await open();
  const shards = new ShardWriter(storage, dataset.id, 'images', 'bin', limits.shardBytes);
  const indexes: (number | DatasetSplit)[][][] = [];
  let index: (number | DatasetSplit)[][] = [];
  const classOf = new Map<string, number>();
  const classes = new Map<string, number>();
  const splits: SplitCounts = { train: 0, validation: 0, test: 0 };
  /** Split → class → examples, for the "class missing from a split" warning. */
  const splitClasses = new Map<DatasetSplit, Map<string, number>>();
  const width = new Summary();
  const height = new Summary();
  const channels = new Map<string, number>();
  const formats = new Map<string, number>();
  const duplicates = new DuplicateCounter();
  let ignored = 0;
  /** Class → the class folders (paths ending in `/`) it was read from, for `empty_class_folder`. */
  const folders = new Map<string, Set<string>>();
  const noteFolder = (label: string, folder: string) => {
    const set = folders.get(label) ?? new Set<string>();
    folders.set(label, set.add(folder));
  };
  try {
    // In file order, so that the entries' bytes are read front to back, each about once: as the
    // directory lists them when it is in that order (streamed), else listed once and sorted.
    const entries = inFileOrder ? zipEntries(zip) : await entriesInFileOrder(zip);
    for await (const entry of entries) {
      const path = entryPath(entry);
      if (path.endsWith('/')) {
        // A folder's own entry: a class folder that may turn out to hold no image.
        const folder = isSystemFile(path) ? undefined : placeOf(layout, path);
        if (folder) noteFolder(folder.label, classFolderOf(layout, path));
        continue;
      }
      if (isSystemFile(path)) {
        ignored++;
        continue;
      }
      const place = exampleOf(layout, path);
      if (place) noteFolder(place.label, classFolderOf(layout, path));
      if (!place) {
        report.warn(
          'file_outside_class_folder',
          `${path} is not inside a class folder${splitted ? ' of a split folder' : ''} and was skipped`,
          path,
        );
        continue;
      }
      const { label, split } = place;
      if (entry.uncompressedSize > limits.imageBytes) {
        report.error(
          'image_too_large',
          `${path} is ${entry.uncompressedSize} bytes; at most ${limits.imageBytes} are accepted per image`,
          path,
        );
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = await readEntry(zip, entry);
      } catch (error) {
        throw new FatalDatasetError(
          'zip_corrupt',
          `Entry ${path} cannot be read: ${(error as Error).message}`,
          path,
        );
      }
      // Not an image by its bytes (whatever its name): `inspect` sniffs with the same
      // `decodableFormat` as `imageEntryProblem` and reports it.
      const info = await inspect(ctx, bytes, path);
      if (!info) continue;
      if (duplicates.add(bytes))
        report.warn('duplicate', `${path} is an exact copy of an earlier image`, path);

      if (!classOf.has(label)) classOf.set(label, classOf.size);
      classes.set(label, (classes.get(label) ?? 0) + 1);
      if (split) {
        splits[split]++;
        const perClass = splitClasses.get(split) ?? new Map<string, number>();
        perClass.set(label, (perClass.get(label) ?? 0) + 1);
        splitClasses.set(split, perClass);
      }
      width.add(info.width);
      height.add(info.height);
      channels.set(String(info.channels), (channels.get(String(info.channels)) ?? 0) + 1);
      formats.set(info.format, (formats.get(info.format) ?? 0) + 1);

      if (!shards.fits(bytes.length)) {
        await shards.flush();
        indexes.push(index);
        index = [];
      }
      const entryIndex: (number | DatasetSplit)[] = [
        shards.offset,
        bytes.length,
        classOf.get(label)!,
        info.width,
        info.height,
        info.channels,
      ];
      if (split) entryIndex.push(split);
      index.push(entryIndex);
      shards.add(bytes, path);
    }
  } finally {
    zip.close();
  }
  await shards.flush();
  if (index.length) indexes.push(index);
  if (ignored)
    report.warn(
      'ignored_files',
      `${ignored} system file${ignored === 1 ? '' : 's'} (__MACOSX, dot files, Thumbs.db) skipped`,
    );

  warnEmptyClassFolders(report, folders, classes);
  const merged = checkLabelSpellings(classes, report, dataset.merge_near_duplicate_labels === true);
  checkClasses(classes, report);
  if (splitted) warnMissingClasses(report, layout, classes, splitClasses);
  const examples = [...classes.values()].reduce((a, b) => a + b, 0);
  const stats = {
    examples,
    classes: sortedCounts(classes),
    images: {
      width: width.toJSON(),
      height: height.toJSON(),
      channels: sortedCounts(channels),
      formats: sortedCounts(formats),
    },
    duplicates: duplicates.duplicates,
    ...(splitted ? { splits } : {}),
    bytes: size,
  };
  if (report.hasErrors) return { stats, manifest: undefined };

  // Class indices in the manifest follow sorted class names; remap what the shards recorded.
  const sorted = [...classes.keys()].sort();
  const remap = new Map(
    [...classOf].map(([name, i]) => [i, sorted.indexOf(merged.get(name) ?? name)]),
  );
  const imageShards = [];
  for (const [i, shard] of shards.shards.entries()) {
    const entries = indexes[i]!.map(([o, l, c, ...rest]) => [
      o!,
      l!,
      remap.get(c as number)!,
      ...rest,
    ]);
    imageShards.push({
      ...shard,
      index: await writeImageIndex(storage, dataset.id, i, entries as ImageIndexEntry[]),
    });
  }
  return {
    stats,
    manifest: {
      version: 1,
      kind: 'images',
      examples,
      classes: sorted,
      shards: imageShards,
      ...(splitted ? { splits } : {}),
    },
  };
}
