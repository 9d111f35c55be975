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
import { type JobSpec, keys, type Preprocess, preprocessSchema } from '@trainyard/shared';
import {
  createPruner,
  createSampler,
  type Direction,
  Study,
  type StudyEvent,
} from '@trainyard/tuning';
import type { BaseModel } from './base-model';
import {
  type CachedFeatures,
  canCacheFeatures,
  computeFeatures,
  trainHeadOnFeatures,
} from './cached-features';
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The study's own events from the job log, with the attempt each trial was started in. */
async function studyHistory(
  ctx: JobContext,
): Promise<{ events: StudyEvent[]; startedIn: Map<number, number> }> {
  const refs = (await ctx.events.refs(ctx.spec.id)).filter((r) => r.type.startsWith('trial.'));
  const events: StudyEvent[] = [];
  const startedIn = new Map<number, number>();
  for (const e of await ctx.events.read(refs)) {
    if (!e.data || !('study_event' in e.data)) continue;
    const event = e.data.study_event as StudyEvent;
    events.push(event);
    if (event.type === 'trial_started') startedIn.set(event.number, Number(e.data.attempt ?? 0));
  }
  // Workers append concurrently: order by trial, keeping each trial's own events in log order.
  const order = (e: StudyEvent) => e.number * 2 + (e.type === 'trial_started' ? 0 : 1);
  events.sort((a, b) => order(a) - order(b));
  return { events, startedIn };
}

/**
 * Claims trial `number` for this worker among concurrent ones: each writes a claim object and
 * the first in key order wins. Any S3 server lists its own writes (no conditional puts needed).
 */
async function claim(ctx: JobContext, number: number, worker: string): Promise<boolean> {
  const prefix = `${keys.jobTrial(ctx.spec.id, number)}claims/${String(ctx.attempt).padStart(4, '0')}-`;
  const mine = `${prefix}${Date.now().toString(36).padStart(9, '0')}-${worker}`;
  await ctx.storage.putJson(mine, { worker });
  const page = await ctx.storage.listPage(prefix, { limit: 1 });
  return page.objects[0]?.key === mine;
}

/**
 * Hyperparameter search. Trials are full `trainOnce` runs of the spec with the sampler's values,
 * reporting per-epoch objectives to the pruner. The study lives in the job's event log (`trial.*`
 * events carry the study's own events), so any process can rebuild it: a new attempt carries on
 * (the lead worker resumes a trial the last attempt left running, from its checkpoint), and
 * parallel workers (`AWS_BATCH_JOB_ARRAY_INDEX`, one per trial slot, on Batch or locally) each
 * claim the next trial number and run it. Each completed trial's model is kept in S3; the lead
 * (index 0, or the only worker) waits for every trial, then publishes the best trial's model
 * (not retrained). Other workers return `undefined`.
 */
export async function runTuning(
  ctx: JobContext,
  raw: RawDataset,
  split: Split,
  base: BaseModel | undefined,
  store: CheckpointStore,
): Promise<{ trained: TrainedModel; trial: number; spec: JobSpec } | undefined> {
  const { spec, events, storage } = ctx;
  const tuning = spec.tuning!;
  const metric = tuning.objective.metric;
  const direction: Direction =
    tuning.objective.goal ?? (metric.endsWith('loss') ? 'minimize' : 'maximize');
  const prunerName = tuning.strategy === 'hyperband' ? 'hyperband' : tuning.early_stopping;
  const index = process.env.AWS_BATCH_JOB_ARRAY_INDEX;
  const parallel = index !== undefined;
  const lead = !parallel || index === '0';
  const worker = `w${index ?? 0}${Math.random().toString(36).slice(2, 8)}`;

  const pending: StudyEvent[] = [];
  const rebuild = async () => {
    const history = await studyHistory(ctx);
    const study = new Study({
      sampler: createSampler(
        tuning.strategy === 'hyperband' ? 'random' : tuning.strategy,
        tuning.search_space,
        { seed: spec.seed },
      ),
      pruner: createPruner(prunerName, { maxResource: spec.hyperparameters.epochs }),
      direction,
      maxTrials: tuning.max_trials,
      events: history.events,
      onEvent: (e) => pending.push(e),
    });
    return { study, startedIn: history.startedIn };
  };
  const flush = async () => {
    for (const event of pending.splice(0)) {
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
        type: `trial.${event.type.replace('trial_', '')}`,
        level: event.type === 'trial_failed' ? 'warn' : 'info',
        message: text,
        data: { ...event, attempt: ctx.attempt, worker, study_event: event },
      });
    }
  };

  let { study, startedIn } = await rebuild();
  if (study.trials.length === 0 && lead) {
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

  // A frozen base on unaugmented inputs gives every trial the same features: compute them once.
  let cached: CachedFeatures | undefined;
  const features = async () => {
    if (!cached) {
      const started = Date.now();
      cached = await computeFeatures(spec, raw, split, base!);
      await events.append(spec.id, {
        type: 'tuning.cached_features',
        message: `the base is frozen and no augmentation is on: computed its features once (${cached.data.count} × ${cached.data.exampleShape.join('×')}, ${((Date.now() - started) / 1000).toFixed(1)} s); each trial trains only the head`,
        data: { examples: cached.data.count, shape: cached.data.exampleShape, worker },
      });
    }
    return cached;
  };
  const cacheable = canCacheFeatures(spec, base);

  let best: { trial: number; trained: TrainedModel; value: number } | undefined;
  // Transfer models hold their own copy of the base (buildTransfer copies it): disposable too.
  const release = (model: tf.LayersModel) => model.dispose();
  const runTrial = async (number: number) => {
    const trial = study.trials[number]!;
    const sp = trialSpec(spec, trial.params as never);
    const pruning = new PruningCallback(
      study,
      number,
      metric,
      Object.keys(trial.intermediate).length,
    );
    try {
      const reporting: TrainCallback = {
        onEpochEnd: async (logs) => {
          const verdict = pruning.onEpochEnd(logs);
          await flush();
          return verdict;
        },
      };
      const trained = cacheable
        ? await trainHeadOnFeatures(ctx, sp, await features(), base!, split, number, [reporting])
        : await trainOnce(ctx, sp, raw, split, base, store, number, () => [reporting]);
      if (pruning.pruned) {
        release(trained.model);
        return;
      }
      const value = objective(trained.history, metric, direction);
      await saveModel(trained.model, storage, trialModelPrefix(spec.id, number));
      await storage.putJson(
        `${trialModelPrefix(spec.id, number)}preprocess.json`,
        trained.preprocess,
      );
      study.tell(number, value);
      await flush();
      if (!best || (direction === 'minimize' ? value < best.value : value > best.value)) {
        if (best) release(best.trained.model);
        best = { trial: number, trained, value };
      } else {
        release(trained.model);
      }
    } catch (error) {
      if (error instanceof TrainingStopped) throw error;
      study.fail(number, (error as Error).message);
      await flush();
    }
  };

  // Trials an earlier attempt left running: the lead resumes them from their checkpoints.
  if (lead) {
    for (const t of study.trials.filter(
      (t) => t.state === 'running' && (startedIn.get(t.number) ?? 0) < ctx.attempt,
    )) {
      await runTrial(t.number);
    }
  }
  for (;;) {
    ({ study, startedIn } = await rebuild());
    const number = study.trials.length;
    if (number >= tuning.max_trials) break;
    if (parallel && !(await claim(ctx, number, worker))) {
      await sleep(200 + Math.random() * 300);
      continue;
    }
    const next = study.ask();
    if (!next) break;
    await flush();
    await runTrial(next.number);
  }
  if (!lead) return undefined;

  // Wait for the other workers' trials to end.
  while (study.trials.some((t) => t.state === 'running')) {
    await sleep(1000);
    if (ctx.stopping()) throw new TrainingStopped();
    ({ study } = await rebuild());
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
    message: `best trial ${winner.number}: ${metric} ${winner.value!.toFixed(4)} with ${JSON.stringify(winner.params)}; publishing its model (not retrained)`,
    data: { number: winner.number, value: winner.value, params: winner.params },
  });
  const winnerSpec = trialSpec(spec, winner.params as never);
  if (best && best.trial === winner.number)
    return { trained: best.trained, trial: winner.number, spec: winnerSpec };
  if (best) release(best.trained.model);
  // The best trial ran in another worker or an earlier attempt: its model is in S3.
  const prefix = trialModelPrefix(spec.id, winner.number);
  const model: tf.LayersModel = await loadModel(storage, prefix);
  const preprocess: Preprocess = await storage.getJson(
    `${prefix}preprocess.json`,
    preprocessSchema,
  );
  const data = await encodeDataset(raw, preprocess);
  return {
    trained: { model, preprocess, data, history: [], epochsRun: 0 },
    trial: winner.number,
    spec: winnerSpec,
  };
}
