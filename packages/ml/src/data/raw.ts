import {
  readImageShard,
  readShardRecords,
  readShardReferences,
  type ShardReference,
} from '@trainyard/datasets/shards';
import type { Cell } from '@trainyard/predict';
import {
  type DatasetManifest,
  type DatasetSplit,
  datasetManifestSchema,
  keys,
  type Storage,
} from '@trainyard/shared';
import { DataError } from '../errors';

/**
 * Where an example came from in the upload, per the manifest's shard `references`: an image's path
 * inside the zip, a row's or a text's 1-based line number; null for datasets validated before
 * references were kept.
 */
export type RawReference = ShardReference;

/**
 * A dataset's examples as validation normalized them, before any model-specific encoding.
 * `references[i]` is example i's `RawReference` (absent: unknown for every example).
 */
export type RawDataset =
  | {
      kind: 'images';
      manifest: DatasetManifest & { kind: 'images' };
      images: Uint8Array[];
      labels: Int32Array;
      /** Channels of each source image (1 grey, 3 RGB, 4 RGBA…). */
      channels: Uint8Array;
      /** Each image's split folder, when the zip had them (`manifest.splits`). */
      splits?: (DatasetSplit | undefined)[];
      references?: RawReference[];
    }
  | {
      kind: 'table';
      manifest: DatasetManifest & { kind: 'table' };
      rows: Cell[][];
      /** Class index (classification) or the target value (regression). */
      labels: Float32Array;
      references?: RawReference[];
    }
  | {
      kind: 'texts';
      manifest: DatasetManifest & { kind: 'texts' };
      texts: string[];
      labels: Int32Array;
      references?: RawReference[];
    };

/**
 * Reads a ready dataset's normalized shards from S3 (never the raw upload). Images stay encoded
 * (PNG/JPEG bytes are several times smaller than pixels) until a model says what size it takes.
 */
export async function loadRawDataset(
  storage: Storage,
  datasetId: string,
  task: string,
): Promise<RawDataset> {
  const manifest = await storage.tryGetJson(keys.datasetManifest(datasetId), datasetManifestSchema);
  if (!manifest) {
    throw new DataError(`Dataset ${datasetId} has no training manifest; is it ready?`, {
      code: 'dataset_unreadable',
      param: 'dataset',
    });
  }
  if (manifest.kind === 'images') {
    const images: Uint8Array[] = [];
    const labels: number[] = [];
    const channels: number[] = [];
    const splits: (DatasetSplit | undefined)[] = [];
    const references: RawReference[] = [];
    for (const shard of manifest.shards) {
      const [{ data, index }, refs] = await Promise.all([
        readImageShard(storage, shard),
        readShardReferences(storage, shard),
      ]);
      references.push(...refs);
      for (const [offset, length, label, , , ch, split] of index) {
        images.push(data.subarray(offset, offset + length));
        labels.push(label);
        channels.push(ch);
        splits.push(split);
      }
    }
    return {
      kind: 'images',
      manifest,
      images,
      labels: Int32Array.from(labels),
      channels: Uint8Array.from(channels),
      ...(manifest.splits ? { splits } : {}),
      references,
    };
  }
  if (manifest.kind === 'table') {
    const labelAt = manifest.columns.findIndex((c) => c.name === manifest.label_column);
    const classes = manifest.classes ? new Map(manifest.classes.map((c, i) => [c, i])) : undefined;
    const rows: Cell[][] = [];
    const labels: number[] = [];
    const references: RawReference[] = [];
    for (const shard of manifest.shards) {
      references.push(...(await readShardReferences(storage, shard)));
      for (const row of await readShardRecords<Cell[]>(storage, shard)) {
        const label = row[labelAt];
        labels.push(classes ? classes.get(String(label))! : Number(label));
        rows.push(row);
      }
    }
    if (task === 'tabular_classification' && !classes) {
      throw new DataError(`Dataset ${datasetId} has no classes; it was validated for regression`, {
        param: 'dataset',
      });
    }
    return { kind: 'table', manifest, rows, labels: Float32Array.from(labels), references };
  }
  const classes = new Map(manifest.classes.map((c, i) => [c, i]));
  const texts: string[] = [];
  const labels: number[] = [];
  const references: RawReference[] = [];
  for (const shard of manifest.shards) {
    references.push(...(await readShardReferences(storage, shard)));
    for (const { text, label } of await readShardRecords<{ text: string; label: string }>(
      storage,
      shard,
    )) {
      texts.push(text);
      labels.push(classes.get(label)!);
    }
  }
  return { kind: 'texts', manifest, texts, labels: Int32Array.from(labels), references };
}
