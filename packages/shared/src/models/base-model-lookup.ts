import { z } from 'zod';
import { inProject } from '../auth/projects';
import { isId } from '../ids';
import { type BaseModelRecord, baseModelSchema } from '../schemas/base-models';
import type { JobSpec } from '../schemas/jobs';
import { type ModelManifest, modelManifestSchema } from '../schemas/models';
import { keys, modelFolderFiles } from '../storage/keys';
import type { Storage } from '../storage/storage';
import { type BuiltinBaseModel, builtinBaseModel, builtinRecord } from './builtin-bases';

/** What a model takes in: the `input.kind` of its `preprocess.json`. */
export type InputKind = 'image' | 'table' | 'text';

/** The input kind of each task's models. */
export const TASK_INPUT_KIND: Record<JobSpec['task'], InputKind> = {
  image_classification: 'image',
  tabular_classification: 'table',
  tabular_regression: 'table',
  text_classification: 'text',
};

/** Only the kind: a base's preprocess.json is read for what it takes, whatever else it holds. */
const preprocessKindSchema = z.object({ input: z.object({ kind: z.string() }).loose() }).loose();

/**
 * The API record of base model `bm_…`: a built-in one from the catalog (an image base or word
 * vectors, installed into the store or not), an imported one from its record (written last by the import, so a cut-short import has
 * none). Undefined when there is none, or `id` is not a `bm_` id.
 */
export async function readBaseModelRecord(
  storage: Storage,
  id: string,
): Promise<BaseModelRecord | undefined> {
  const builtin = builtinRecord(id, storage.bucket);
  if (builtin) return builtin;
  if (!isId('bm', id)) return undefined;
  return storage.tryGetJson(keys.baseModelRecord(id), baseModelSchema);
}

/** A base model a job can start from: where its files are and what it takes. */
export interface FoundBaseModel {
  readonly id: string;
  /** Its model folder (`keys.model` or `keys.baseModel`): model.json, weights, preprocess.json. */
  readonly folder: string;
  /** A published platform model (`model_…`): its manifest. */
  readonly manifest?: ModelManifest;
  /** An imported or built-in base (`bm_…`): its API record. */
  readonly record?: BaseModelRecord;
  /** A built-in base: its catalog entry (its files may not be in the store yet). */
  readonly builtin?: BuiltinBaseModel;
  /**
   * What it takes: its preprocess.json's `input.kind` where it has one, else its task's; a string
   * that is none of the kinds when its preprocess.json says so.
   */
  readonly takes: InputKind | string;
}

/**
 * Where base model `id` is and what it takes, for the API (checking a job) and the trainer
 * (loading it): `model_…`, a platform model once its manifest is published; `bm_…`, an imported
 * base once its record is written, or a built-in one (whether or not it is installed). Undefined
 * when there is no such base model (a malformed id included), and, with `project`, when it is
 * another project's model or imported base (the built-in ones are every project's): the API and
 * the trainer then answer exactly as for a missing one. Throws `StorageError` when S3 fails, and
 * `TrainyardError` when a stored manifest or record does not match its schema.
 */
export async function findBaseModel(
  storage: Storage,
  id: string,
  project?: string,
): Promise<FoundBaseModel | undefined> {
  const visible = (record: { project?: string | null; builtin?: boolean }) =>
    project === undefined || record.builtin === true || inProject(record, project);
  let found: Omit<FoundBaseModel, 'takes'> & { takes: string };
  if (isId('model', id)) {
    const manifest = await storage.tryGetJson(keys.modelManifest(id), modelManifestSchema);
    if (!manifest || !visible(manifest)) return undefined;
    found = { id, folder: keys.model(id), manifest, takes: TASK_INPUT_KIND[manifest.task] };
  } else {
    const record = await readBaseModelRecord(storage, id);
    if (!record || !visible(record)) return undefined;
    const builtin = builtinBaseModel(id);
    found = {
      id,
      folder: keys.baseModel(id),
      record,
      ...(builtin ? { builtin } : {}),
      takes: TASK_INPUT_KIND[record.task],
    };
  }
  const bytes = await storage.tryGetBytes(keys.inFolder(found.folder, modelFolderFiles.preprocess));
  if (bytes) {
    const parsed = preprocessKindSchema.safeParse(JSON.parse(Buffer.from(bytes).toString()));
    if (parsed.success) found.takes = parsed.data.input.kind;
  }
  return found;
}
