import type { Cell } from '@trainyard/predict';
import {
  type DatasetManifest,
  type DatasetSplit,
  datasetManifestSchema,
  imageIndexEntrySchema,
  keys,
  type Storage,
} from '@trainyard/shared';
import { z } from 'zod';
import { DataError } from '../errors';

/**
 * Where an example came from in the upload, per the manifest's shard `references`: an image's path
 * inside the zip, a row's or a text's 1-based line number; null for datasets validated before
 * references were kept.
 */
export type RawReference = string | number | null;

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

const indexSchema = z.array(imageIndexEntrySchema);
const referencesSchema = z.array(z.union([z.string(), z.number()]));

/** A shard's example references, or nulls when the shard was written without them. */
async function shardReferences(
  storage: Storage,
  shard: { examples: number; references?: string | undefined },
): Promise<RawReference[]> {
  if (!shard.references) return new Array<RawReference>(shard.examples).fill(null);
  return storage.getJson(shard.references, referencesSchema);
}

async function lines(storage: Storage, key: string): Promise<string[]> {
  const text = Buffer.from(await storage.getBytes(key)).toString('utf8');
  return text.split('\n').filter((l) => l.length > 0);
}

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
      const [data, index, refs] = await Promise.all([
        storage.getBytes(shard.key),
        storage.getJson(shard.index, indexSchema),
        shardReferences(storage, shard),
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
      references.push(...(await shardReferences(storage, shard)));
      for (const line of await lines(storage, shard.key)) {
        const row = JSON.parse(line) as Cell[];
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
    references.push(...(await shardReferences(storage, shard)));
    for (const line of await lines(storage, shard.key)) {
      const { text, label } = JSON.parse(line) as { text: string; label: string };
      texts.push(text);
      labels.push(classes.get(label)!);
    }
  }
  return { kind: 'texts', manifest, texts, labels: Int32Array.from(labels), references };
}
