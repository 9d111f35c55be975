import type * as tf from '@tensorflow/tfjs';
import {
  type EpochLogs,
  encodeDataset,
  loadModel,
  type RawDataset,
  saveModel,
  type TrainCallback,
  TrainingStopped,
} from '@trainyard/ml';
import { keys, type Preprocess, preprocessSchema } from '@trainyard/shared';
import {
  createPruner,
  createSampler,
  type Direction,
  Study,
  type StudyEvent,
} from '@trainyard/tuning';
import type { BaseModel } from './base-model';
import type { CheckpointStore } from './checkpoints';
import { type JobContext, JobFailure } from './context';
import { type Split, type TrainedModel, trainOnce } from './train-once';
import { trialSpec } from './trial-spec';

type Metric = 'val_loss' | 'val_accuracy' | 'loss' | 'accuracy';

function metricOf(logs: EpochLogs, metric: Metric): number | null {
  return (
    logs[metric] ??
    (metric.startsWith('val_') ? logs[metric.slice(4) as 'loss' | 'accuracy'] : null)
  );
}

/** A trial's objective: the best value of the metric over its epochs (early stopping keeps those weights). */
function objective(history: EpochLogs[], metric: Metric, direction: Direction): number {
  const values = history
    .map((h) => metricOf(h, metric))
    .filter((v): v is number => v !== null && Number.isFinite(v));
  if (!values.length) return Number.NaN;
  return direction === 'minimize' ? Math.min(...values) : Math.max(...values);
}

/** Reports each epoch's objective to the study; stops the trial when the pruner says so. */
class PruningCallback implements TrainCallback {
  pruned = false;
  private step = 0;

  constructor(
    private readonly study: Study,
    private readonly trial: number,
    private readonly metric: Metric,
    firstStep: number,
  ) {
    this.step = firstStep;
  }

  onEpochEnd(logs: EpochLogs): 'stop' | undefined {
    const value = metricOf(logs, this.metric);
    if (value === null || !Number.isFinite(value)) return undefined;
    if (this.study.report(this.trial, this.step++, value)) {
      this.pruned = true;
      return 'stop';
    }
    return undefined;
  }
}

const trialModelPrefix = (jobId: string, trial: number) => `${keys.jobTrial(jobId, trial)}model/`;

/**
 * Hyperparameter search: trials run one after another in this process, each a full `trainOnce`
 * of the spec with the sampler's values, reporting per-epoch objectives to the pruner. The study
 * lives in the job's event log (`trial.*` events carry the study's own events), so a new attempt
 * replays it and carries on, resuming a trial that was running from its checkpoint. Each
 * completed trial's model is kept in S3; the best one is published (not retrained).
 */
export async function runTuning(
  ctx: JobContext,
  raw: RawDataset,
  split: Split,
  base: BaseModel | undefined,
  store: CheckpointStore,
): Promise<{ trained: TrainedModel; trial: number }> {
  const { spec, events, storage } = ctx;
  const tuning = spec.tuning!;
  const metric = tuning.objective.metric;
  const direction: Direction =
    tuning.objective.goal ?? (metric.endsWith('loss') ? 'minimize' : 'maximize');
  const sampler = createSampler(
    tuning.strategy === 'hyperband' ? 'random' : tuning.strategy,
    tuning.search_space,
    { seed: spec.seed },
  );
  const prunerName = tuning.strategy === 'hyperband' ? 'hyperband' : tuning.early_stopping;
  const pruner = createPruner(prunerName, { maxResource: spec.hyperparameters.epochs });

  const replay = (await events.list(spec.id))
    .filter((e) => e.type.startsWith('trial.') && e.data && 'study_event' in e.data)
    .map((e) => e.data!.study_event as StudyEvent);
  const pending: StudyEvent[] = [];
  const study = new Study({
    sampler,
    pruner,
    direction,
    maxTrials: tuning.max_trials,
    events: replay,
    onEvent: (e) => pending.push(e),
  });
  const flush = async () => {
    for (const event of pending.splice(0)) {
      const kind = event.type.replace('trial_', '');
      const text =
        event.type === 'trial_started'
          ? `trial ${event.number} started with ${JSON.stringify(event.params)}`
          : event.type === 'trial_reported'
            ? `trial ${event.number} step ${event.step}: ${metric} ${event.value.toFixed(4)}`
            : event.type === 'trial_completed'
              ? `trial ${event.number} completed: ${metric} ${event.value.toFixed(4)}`
              : event.type === 'trial_pruned'
                ? `trial ${event.number} pruned by the ${prunerName} pruner`
                : `trial ${event.number} failed: ${event.error}`;
      await events.append(spec.id, {
        type: `trial.${kind}`,
        level: event.type === 'trial_failed' ? 'warn' : 'info',
        message: text,
        data: { ...event, study_event: event },
      });
    }
  };
  if (replay.length === 0) {
    await events.append(spec.id, {
      type: 'study.started',
      message: `tuning: ${tuning.strategy} search over ${Object.keys(tuning.search_space).join(', ')}, ${tuning.max_trials} trials, ${direction} ${metric}, pruner ${prunerName}`,
      data: {
        strategy: tuning.strategy,
        pruner: prunerName,
        metric,
        direction,
        max_trials: tuning.max_trials,
      },
    });
  }

  let best: { trial: number; trained: TrainedModel; value: number } | undefined;
  const runTrial = async (number: number, params: Record<string, unknown>) => {
    const sp = trialSpec(spec, params as never);
    const steps = study.trials[number]!.intermediate;
    const pruning = new PruningCallback(study, number, metric, Object.keys(steps).length);
    try {
      const trained = await trainOnce(ctx, sp, raw, split, base, store, number, () => [
        {
          onEpochEnd: async (logs) => {
            const verdict = pruning.onEpochEnd(logs);
            await flush();
            return verdict;
          },
        },
      ]);
      if (pruning.pruned) {
        trained.model.dispose();
        return;
      }
      const value = objective(trained.history, metric, direction);
      study.tell(number, value);
      await flush();
      await saveModel(trained.model, storage, trialModelPrefix(spec.id, number));
      await storage.putJson(
        `${trialModelPrefix(spec.id, number)}preprocess.json`,
        trained.preprocess,
      );
      if (!best || (direction === 'minimize' ? value < best.value : value > best.value)) {
        best?.trained.model.dispose();
        best = { trial: number, trained, value };
      } else {
        trained.model.dispose();
      }
    } catch (error) {
      if (error instanceof TrainingStopped) throw error;
      study.fail(number, (error as Error).message);
      await flush();
    }
  };

  for (const trial of study.trials.filter((t) => t.state === 'running'))
    await runTrial(trial.number, { ...trial.params });
  for (let next = study.ask(); next; next = study.ask()) {
    await flush();
    await runTrial(next.number, { ...next.params });
  }
  if (study.status === 'failed' || !study.bestTrial) {
    throw new JobFailure(
      'all_trials_failed',
      `Every trial failed: ${study.failureReason ?? 'no trial completed'}`,
      'tuning',
    );
  }
  const winner = study.bestTrial;
  await events.append(spec.id, {
    type: 'study.best',
    message: `best trial ${winner.number}: ${metric} ${winner.value!.toFixed(4)} with ${JSON.stringify(winner.params)}; publishing its model`,
    data: { number: winner.number, value: winner.value, params: winner.params },
  });
  if (best && best.trial === winner.number) return { trained: best.trained, trial: winner.number };
  // The best trial ran in an earlier attempt: its model is in S3.
  const prefix = trialModelPrefix(spec.id, winner.number);
  const model: tf.LayersModel = await loadModel(storage, prefix);
  const preprocess: Preprocess = await storage.getJson(
    `${prefix}preprocess.json`,
    preprocessSchema,
  );
  const data = await encodeDataset(raw, preprocess);
  return { trained: { model, preprocess, data, history: [], epochsRun: 0 }, trial: winner.number };
}
