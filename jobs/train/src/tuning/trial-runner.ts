import type * as tf from '@tensorflow/tfjs';
import {
  type MonitoredMetric,
  type RawDataset,
  type TrainCallback,
  TrainingStopped,
} from '@trainyard/ml';
import { trialSpec } from '@trainyard/shared';
import type { Direction, Study } from '@trainyard/tuning';
import type { BaseModel } from '../base-model';
import {
  type CachedFeatures,
  canCacheFeatures,
  computeFeatures,
  trainHeadOnFeatures,
} from '../cached-features';
import type { CheckpointStore } from '../checkpoints';
import { type JobContext, RuntimeExceeded } from '../context';
import { type Split, type TrainedModel, trainOnce } from '../train-once';
import type { StudyJournal } from './journal';
import { cachedFeaturesComputed } from './messages';
import { PruningCallback, trialObjective } from './objective';
import { saveTrialModel } from './trial-model';

/** What every trial of a job trains on. */
export interface TrialInputs {
  readonly raw: RawDataset;
  readonly split: Split;
  readonly base: BaseModel | undefined;
  readonly store: CheckpointStore;
}

/**
 * Runs trials of a study in this process: each is a full `trainOnce` of the spec with the
 * trial's values (or, on a frozen base with no augmentation, a head trained on the base's
 * features, computed once), reporting per-epoch objectives to the pruner. A completed trial's
 * model is kept in S3; the best one run here is also kept in memory, for the lead to publish.
 */
export class TrialRunner {
  private cached: CachedFeatures | undefined;
  private readonly cacheable: boolean;
  private bestHere: { trial: number; trained: TrainedModel; value: number } | undefined;

  constructor(
    private readonly ctx: JobContext,
    private readonly inputs: TrialInputs,
    private readonly journal: StudyJournal,
    private readonly objective: { metric: MonitoredMetric; direction: Direction },
    private readonly worker: string,
  ) {
    this.cacheable = canCacheFeatures(ctx.spec, inputs.base);
  }

  /**
   * Runs trial `number` of `study` (started already, or being resumed from its checkpoint) to
   * its end: told to the study, pruned, or failed; the study's events are in the journal after.
   * A failed trial fails only itself; `TrainingStopped` (a cancel) propagates.
   */
  async run(study: Study, number: number): Promise<void> {
    const { ctx, inputs, journal } = this;
    const { spec, storage } = ctx;
    const trial = study.trials[number]!;
    const sp = trialSpec(spec, trial.params as never);
    const { metric, direction } = this.objective;
    const pruning = new PruningCallback(
      study,
      number,
      metric,
      Object.keys(trial.intermediate).length,
    );
    const reporting: TrainCallback = {
      onEpochEnd: async (logs) => {
        const verdict = pruning.onEpochEnd(logs);
        await journal.flush();
        return verdict;
      },
    };
    try {
      const trained = this.cacheable
        ? await trainHeadOnFeatures(
            ctx,
            sp,
            await this.features(),
            inputs.base!,
            inputs.split,
            number,
            [reporting],
          )
        : await trainOnce(ctx, sp, inputs.raw, inputs.split, inputs.base, inputs.store, number, {
            extra: () => [reporting],
          });
      if (pruning.pruned) {
        this.release(trained.model);
        return;
      }
      const value = trialObjective(trained.history, metric, direction);
      await saveTrialModel(storage, spec.id, number, trained);
      study.tell(number, value);
      await journal.flush();
      const best = this.bestHere;
      if (!best || (direction === 'minimize' ? value < best.value : value > best.value)) {
        if (best) this.release(best.trained.model);
        this.bestHere = { trial: number, trained, value };
      } else {
        this.release(trained.model);
      }
    } catch (error) {
      // A cancel, or the job's own runtime running out, ends the job, not just this trial.
      if (error instanceof TrainingStopped) throw error;
      if (error instanceof RuntimeExceeded && error.scope === 'job') throw error;
      study.fail(number, (error as Error).message);
      await journal.flush();
    }
  }

  /**
   * The model of trial `number` if it ran here and was the best here; any other model held is
   * released. `undefined` when it ran elsewhere (its model is in S3).
   */
  take(number: number): TrainedModel | undefined {
    const best = this.bestHere;
    this.bestHere = undefined;
    if (best?.trial === number) return best.trained;
    if (best) this.release(best.trained.model);
    return undefined;
  }

  /** A frozen base on unaugmented inputs gives every trial the same features: computed once. */
  private async features(): Promise<CachedFeatures> {
    if (!this.cached) {
      const started = Date.now();
      this.cached = await computeFeatures(
        this.ctx.spec,
        this.inputs.raw,
        this.inputs.split,
        this.inputs.base!,
      );
      await this.ctx.events.append(
        this.ctx.spec.id,
        cachedFeaturesComputed(this.cached.data, (Date.now() - started) / 1000, this.worker),
      );
    }
    return this.cached;
  }

  /** Transfer models hold their own copy of the base (buildTransfer copies it): disposable too. */
  private release(model: tf.LayersModel): void {
    model.dispose();
  }
}
