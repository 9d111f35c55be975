import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  type BaseModelRecord,
  BUILTIN_BASE_MODELS,
  type BuiltinBaseModel,
  type BuiltinBaseSource,
  baseModelSchema,
  builtinBaseModel,
  builtinBaseRecord,
  checkTfjsManifest,
  keys,
  modelFolderFiles,
  type Preprocess,
  preprocessSchema,
  type Storage,
  type TfjsModelJson,
  UnprocessableError,
} from '@trainyard/shared';

import { composeBranches } from './builtin-composite';
import { ensureBuiltinWordVectors } from './builtin-word-vectors';

// No tfjs here: `npm start` installs the built-ins without loading a tensor backend.

const require = createRequire(import.meta.url);

/** The files of a built-in base as they go into the store: model.json and its weight shards. */
export interface BuiltinBaseFiles {
  readonly modelJson: Record<string, unknown>;
  readonly shards: ReadonlyArray<{ readonly path: string; readonly data: Uint8Array }>;
}

/** The root folder of an installed npm package (whose `exports` may hide its package.json). */
function packageRoot(name: string): string {
  const entry = require.resolve(name);
  const marker = `${sep}node_modules${sep}${name}${sep}`;
  const at = entry.lastIndexOf(marker);
  return at === -1 ? dirname(entry) : entry.slice(0, at + marker.length - 1);
}

/**
 * Reads a built-in base's model.json and weights from its npm package, no network. nsfwjs ships
 * each model as UMD bundles (`model.min.js` exports the model.json object; each
 * `<shard>.min.js` exports that shard's bytes as a base64 string), read here the way the package
 * itself loads them. A composed base (`branches`) reads each of its networks so and assembles them
 * (`composeBranches`). Throws when an installed version is not the pinned one, or the files do not
 * hold the bytes and layers the catalog records.
 */
export function readBuiltinBaseFiles(base: BuiltinBaseModel): BuiltinBaseFiles {
  if (!base.branches) return readPackagedModel(base.source, base.bytes, base.layers, base.id);
  const files = composeBranches(
    base.branches.map((branch) => ({
      branch,
      files: readPackagedModel(branch.source, branch.bytes, branch.layers, base.id),
    })),
    base.input_shape,
    base.id,
  );
  const { model, bytes } = checkTfjsManifest(files.modelJson, base.bytes);
  checkHolds(model, bytes, files.shards, base.bytes, base.layers, `built-in base ${base.id}`);
  return files;
}

/**
 * Throws unless the shards hold the bytes the manifest declares, and those and the layers are the
 * ones the catalog records for `what`.
 */
function checkHolds(
  model: TfjsModelJson,
  declared: number,
  shards: BuiltinBaseFiles['shards'],
  expectedBytes: number,
  expectedLayers: number,
  what: string,
): void {
  const total = shards.reduce((n, s) => n + s.data.length, 0);
  const layers = (model.modelTopology.model_config as { config?: { layers?: unknown[] } })?.config
    ?.layers?.length;
  if (total !== declared || declared !== expectedBytes || layers !== expectedLayers) {
    throw new UnprocessableError(
      `${what} holds ${total} bytes of weights (its model.json declares ${declared}) and ${layers} layers; expected ${expectedBytes} bytes and ${expectedLayers} layers`,
      { code: 'builtin_base_unavailable' },
    );
  }
}

/** One packaged network's model.json and shards, checked against the bytes and layers expected. */
function readPackagedModel(
  source: BuiltinBaseSource,
  expectedBytes: number,
  expectedLayers: number,
  id: string,
): BuiltinBaseFiles {
  const { package: name, version, folder } = source;
  const root = packageRoot(name);
  const installed = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  if (installed !== version) {
    throw new UnprocessableError(
      `built-in base ${id} needs ${name}@${version}; ${installed} is installed`,
      { code: 'builtin_base_unavailable' },
    );
  }
  const dir = join(root, folder);
  const modelJson = { format: 'layers-model', ...require(join(dir, 'model.min.js')) } as Record<
    string,
    unknown
  >;
  const { model, paths, bytes } = checkTfjsManifest(modelJson, expectedBytes);
  const shards = paths.map((path) => {
    const encoded: unknown = require(join(dir, `${path}.min.js`));
    if (typeof encoded !== 'string') {
      throw new UnprocessableError(
        `${name}@${version} ${folder}/${path}.min.js exports ${typeof encoded}; expected a base64 string`,
        { code: 'builtin_base_unavailable' },
      );
    }
    return { path, data: new Uint8Array(Buffer.from(encoded, 'base64')) };
  });
  checkHolds(model, bytes, shards, expectedBytes, expectedLayers, `${name}@${version} ${folder}`);
  return { modelJson, shards };
}

/** The preprocessing recorded with a built-in base (pixels 0-1 mapped to `(p - mean) / std`). */
export function builtinBasePreprocess(base: BuiltinBaseModel): Preprocess {
  const [height, width, channels] = base.input_shape;
  return {
    version: 1,
    task: 'image_classification',
    input: {
      kind: 'image',
      height,
      width,
      channels,
      mean: [...base.normalization.mean],
      std: [...base.normalization.std],
    },
    labels: null,
    target: null,
  };
}

/**
 * Writes a built-in base into `base-models/<id>/` as an import would: weight shards, model.json,
 * preprocess.json, and the record last (a reader that sees the record sees a whole base).
 * Overwrites whatever was there. Returns the record.
 */
export async function installBuiltinBase(storage: Storage, id: string): Promise<BaseModelRecord> {
  const base = builtinBaseModel(id);
  if (!base) throw new UnprocessableError(`${id} is not a built-in base model`, { param: 'id' });
  const { modelJson, shards } = readBuiltinBaseFiles(base);
  for (const { path, data } of shards)
    await storage.putBytes(keys.baseModelFile(id, path), data, 'application/octet-stream');
  await storage.putJson(keys.baseModelFile(id, modelFolderFiles.modelJson), modelJson);
  await storage.putJson(
    keys.baseModelFile(id, modelFolderFiles.preprocess),
    builtinBasePreprocess(base),
  );
  const record = builtinBaseRecord(base, storage.bucket);
  await storage.putJson(keys.baseModelRecord(id), record);
  return record;
}

/**
 * Whether `base` is in the store as this version of Trainyard describes it: its record and its
 * `preprocess.json` there are the ones `installBuiltinBase` writes now (jobs train with the
 * second, the catalog shows the first). An older version's (another scaling, another
 * description), an unreadable one, or none at all is not.
 */
export async function builtinBaseIsCurrent(
  storage: Storage,
  base: BuiltinBaseModel,
): Promise<boolean> {
  const [record, preprocess] = await Promise.all([
    storage.tryGetJson(keys.baseModelRecord(base.id), baseModelSchema).catch(() => undefined),
    storage
      .tryGetJson(keys.baseModelFile(base.id, modelFolderFiles.preprocess), preprocessSchema)
      .catch(() => undefined),
  ]);
  return (
    isDeepStrictEqual(record, builtinBaseRecord(base, storage.bucket)) &&
    isDeepStrictEqual(preprocess, builtinBasePreprocess(base))
  );
}

/**
 * Installs every built-in base that is not in the store as this version describes it
 * (`builtinBaseIsCurrent`: the first `npm start` on a fresh bucket, or the first after an upgrade
 * changed a base's record), then the word vectors. Returns the ids installed now.
 */
export async function ensureBuiltinBases(storage: Storage): Promise<string[]> {
  const installed: string[] = [];
  for (const base of BUILTIN_BASE_MODELS) {
    if (await builtinBaseIsCurrent(storage, base)) continue;
    await installBuiltinBase(storage, base.id);
    installed.push(base.id);
  }
  installed.push(...(await ensureBuiltinWordVectors(storage)));
  return installed;
}
