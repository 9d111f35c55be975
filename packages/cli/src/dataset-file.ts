import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, relative } from 'node:path';
import type { CreateDataset, DatasetFormat, DatasetTask } from '@trainyard/sdk';
import { fileFromPath } from '@trainyard/sdk/node';
import { ZipFile } from 'yazl';
import { usage } from './exit';

/** Dataset flags shared by `datasets create|upload|validate`. */
export interface DatasetFlags {
  readonly name?: string;
  readonly task?: DatasetTask;
  readonly format?: DatasetFormat;
  readonly labelColumn?: string;
  readonly delimiter?: string;
  readonly decimal?: '.' | ',';
  readonly thousands?: string;
  readonly encoding?: string;
  readonly mergeNearDuplicateLabels?: boolean;
}

const BY_EXTENSION: Record<string, { task: DatasetTask; format: DatasetFormat }> = {
  '.zip': { task: 'image_classification', format: 'image_folder_zip' },
  '.csv': { task: 'tabular_classification', format: 'csv' },
  '.tsv': { task: 'tabular_classification', format: 'csv' },
  '.txt': { task: 'tabular_classification', format: 'csv' },
  '.jsonl': { task: 'text_classification', format: 'jsonl' },
  '.ndjson': { task: 'text_classification', format: 'jsonl' },
};

/**
 * The `POST /v1/datasets` body for a file or folder: task and format from the flags, else from
 * the extension (a folder is an image folder). Throws a usage error when neither tells, or a CSV
 * has no `--label-column`.
 */
export function datasetSpec(
  path: string,
  isDirectory: boolean,
  flags: DatasetFlags,
): CreateDataset {
  const guessed = isDirectory ? BY_EXTENSION['.zip'] : BY_EXTENSION[extname(path).toLowerCase()];
  const format = flags.format ?? guessed?.format;
  const task =
    flags.task ??
    (format === guessed?.format ? guessed?.task : undefined) ??
    (format === 'csv'
      ? 'tabular_classification'
      : format === 'jsonl'
        ? 'text_classification'
        : format
          ? 'image_classification'
          : undefined);
  if (!format || !task) {
    throw usage(`Cannot tell the format of ${path}: pass --format csv|jsonl|image_folder_zip`);
  }
  if (format === 'csv' && !flags.labelColumn) {
    throw usage(`${basename(path)} is a CSV: pass --label-column NAME (the column to predict)`);
  }
  const csv = {
    ...(flags.delimiter ? { delimiter: flags.delimiter === '\\t' ? '\t' : flags.delimiter } : {}),
    ...(flags.decimal ? { decimal: flags.decimal } : {}),
    ...(flags.thousands !== undefined ? { thousands: flags.thousands as ',' } : {}),
    ...(flags.encoding ? { encoding: flags.encoding } : {}),
  };
  return {
    name: flags.name ?? basename(path, isDirectory ? '' : extname(path)),
    task,
    format,
    ...(format === 'csv' ? { label_column: flags.labelColumn } : {}),
    ...(format === 'csv' && Object.keys(csv).length ? { csv } : {}),
    ...(flags.mergeNearDuplicateLabels ? { merge_near_duplicate_labels: true } : {}),
  };
}

/** Every file under `dir`, as paths relative to it (`/`-separated), sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

/** Zips a folder (its class folders at the top of the zip) into a temporary file. */
async function zipFolder(dir: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const tmp = await mkdtemp(join(tmpdir(), 'trainyard-zip-'));
  const path = join(tmp, `${basename(dir)}.zip`);
  const zip = new ZipFile();
  for (const file of await filesUnder(dir)) zip.addFile(join(dir, file), file);
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const output = createWriteStream(path);
    zip.outputStream.pipe(output).on('close', resolve).on('error', reject);
  });
  return { path, cleanup: () => rm(tmp, { recursive: true, force: true }) };
}

/**
 * A dataset's file from a path (the file itself, or a folder zipped for you) and, with
 * `withSpec`, the dataset spec for it. Throws a usage error (exit 2) for a path that does not
 * exist. Call `cleanup` when done.
 */
export async function openDatasetPath(path: string, flags: DatasetFlags, withSpec = true) {
  const info = await stat(path).catch(() => {
    throw usage(`No such file or folder: ${path}`);
  });
  const spec = withSpec ? datasetSpec(path, info.isDirectory(), flags) : undefined;
  if (!info.isDirectory()) {
    return { spec, file: await fileFromPath(path), cleanup: async () => {} };
  }
  const zipped = await zipFolder(path);
  return { spec, file: await fileFromPath(zipped.path), cleanup: zipped.cleanup };
}
