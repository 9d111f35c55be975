import * as tf from '@tensorflow/tfjs';
import { type EpochLogs, loadModel, saveModel } from '@trainyard/ml';
import {
  CHECKPOINTS_KEPT,
  keys,
  listRecordPage,
  modelFolderFiles,
  type Preprocess,
  preprocessSchema,
  type Storage,
} from '@trainyard/shared';
import { z } from 'zod';

const stateSchema = z.object({
  name: z.string(),
  phase: z.enum(['train', 'fine_tune']),
  /** The last epoch completed (0-based, within its phase). */
  epoch: z.number().int(),
  trial: z.number().int().nullable(),
  history: z.array(z.record(z.string(), z.unknown())),
  optimizer: z.array(z.object({ name: z.string(), shape: z.array(z.number()), dtype: z.string() })),
  preprocess: preprocessSchema,
  /** Base layers that fine-tuning unfroze (they must be unfrozen again on resume). */
  unfrozen: z.array(z.string()),
  created_at: z.number(),
});
export type CheckpointState = z.infer<typeof stateSchema>;

export interface Checkpoint {
  readonly state: CheckpointState;
  readonly prefix: string;
}

/** Checkpoints `latest` considers (one per epoch and trial: far more than a job writes). */
const MAX_CHECKPOINTS_LISTED = 10_000;

/** Sorts phases before epochs: every fine-tuning epoch comes after every first-phase epoch. */
function order(state: CheckpointState): number {
  return (state.trial ?? 0) * 1e7 + (state.phase === 'fine_tune' ? 1e6 : 0) + state.epoch;
}

/**
 * Checkpoints of a job under `jobs/<id>/checkpoints/<name>/`: the model files, the optimizer's
 * slots and `state.json` (written last, so a checkpoint without it is ignored as incomplete).
 */
export class CheckpointStore {
  /** The folders this process saved, oldest first, per trial (null: a job without tuning). */
  private readonly saved = new Map<number | null, string[]>();

  constructor(
    private readonly storage: Storage,
    private readonly jobId: string,
  ) {}

  async save(
    model: tf.LayersModel,
    optimizer: tf.Optimizer,
    info: {
      phase: 'train' | 'fine_tune';
      epoch: number;
      trial: number | null;
      history: EpochLogs[];
      preprocess: Preprocess;
      unfrozen: string[];
    },
  ): Promise<Checkpoint> {
    const trialPart = info.trial === null ? '' : `trial-${String(info.trial).padStart(4, '0')}-`;
    const name = `${trialPart}${info.phase}-epoch-${String(info.epoch + 1).padStart(4, '0')}`;
    const prefix = keys.jobCheckpoint(this.jobId, name);
    await saveModel(model, this.storage, prefix);
    const slots = await optimizer.getWeights();
    const encoded = await tf.io.encodeWeights(slots);
    await this.storage.putBytes(
      keys.inFolder(prefix, modelFolderFiles.optimizer),
      new Uint8Array(encoded.data as ArrayBuffer),
    );
    const state: CheckpointState = {
      name,
      phase: info.phase,
      epoch: info.epoch,
      trial: info.trial,
      history: info.history as unknown as Record<string, unknown>[],
      optimizer: encoded.specs.map((s) => ({ name: s.name, shape: s.shape, dtype: s.dtype })),
      preprocess: info.preprocess,
      unfrozen: info.unfrozen,
      created_at: Date.now(),
    };
    await this.storage.putJson(keys.inFolder(prefix, modelFolderFiles.checkpointState), state);
    // Only the newest CHECKPOINTS_KEPT of a trial are kept: each holds the whole model (a frozen
    // base too), and a few-shot job's 100 epochs wrote 1.5 GB of them. The newest is whole before
    // an older one is deleted, so a resume always finds one.
    const mine = this.saved.get(info.trial) ?? [];
    mine.push(prefix);
    this.saved.set(info.trial, mine);
    while (mine.length > CHECKPOINTS_KEPT) await this.storage.deletePrefix(mine.shift()!);
    return { state, prefix };
  }

  /** The most advanced complete checkpoint (of `trial`, when given), if any. */
  async latest(trial: number | null = null): Promise<Checkpoint | undefined> {
    const folder = (name: string) => keys.jobCheckpoint(this.jobId, name);
    const { data } = await listRecordPage<Checkpoint>(
      this.storage,
      keys.jobCheckpoints(this.jobId),
      {
        limit: MAX_CHECKPOINTS_LISTED,
        isId: () => true,
        folder,
        read: async (name) => {
          const prefix = folder(name);
          const state = await this.storage.tryGetJson(
            keys.inFolder(prefix, modelFolderFiles.checkpointState),
            stateSchema,
          );
          return state ? { state, prefix } : undefined;
        },
      },
    );
    let best: Checkpoint | undefined;
    for (const c of data) {
      if (c.state.trial !== trial) continue;
      if (!best || order(c.state) > order(best.state)) best = c;
    }
    return best;
  }

  async loadModel(checkpoint: Checkpoint): Promise<tf.LayersModel> {
    return loadModel(this.storage, checkpoint.prefix);
  }

  async loadOptimizerState(
    checkpoint: Checkpoint,
  ): Promise<Array<{ name: string; tensor: tf.Tensor }>> {
    const bytes = await this.storage.getBytes(
      keys.inFolder(checkpoint.prefix, modelFolderFiles.optimizer),
    );
    const buffer = bytes.buffer.slice(
      bytes.byteOffset,
      bytes.byteOffset + bytes.length,
    ) as ArrayBuffer;
    const map = tf.io.decodeWeights(
      buffer,
      checkpoint.state.optimizer as tf.io.WeightsManifestEntry[],
    );
    return checkpoint.state.optimizer.map((s) => ({ name: s.name, tensor: map[s.name]! }));
  }
}
