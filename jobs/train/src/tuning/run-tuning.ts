import { type RawDataset, TrainingStopped } from '@trainyard/ml';
import type { JobSpec } from '@trainyard/shared';
import { trialSpec } from '@trainyard/shared';
import { createPruner, createSampler, type Direction, Study } from '@trainyard/tuning';
import type { BaseModel } from '../base-model';
import type { CheckpointStore } from '../checkpoints';
import { type JobContext, JobFailure } from '../context';
import type { Split, TrainedModel } from '../train-once';
import { claimTrial } from './claim';
import { StudyJournal, type StudyLog } from './journal';
import { type StudyTerms, studyBest, studyStarted } from './messages';
import { loadTrialModel } from './trial-model';
import { TrialRunner } from './trial-runner';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Hyperparameter search. Trials are full `trainOnce` runs of the spec with the sampler's values
 * (`TrialRunner`), reporting per-epoch objectives to the pruner. The study lives in the job's
 * event log (`StudyJournal`), so any process can rebuild it: a new attempt carries on (the lead
 * worker resumes a trial the last attempt left running, from its checkpoint), and parallel
 * workers (`AWS_BATCH_JOB_ARRAY_INDEX`, one per trial slot, on Batch or locally) each claim the
 * next trial number (`claimTrial`) and run it. Each completed trial's model is kept in S3; the
 * lead (index 0, or the only worker) waits for every trial, then publishes the best trial's
 * model (not retrained). Other workers return `undefined`.
 *
 * Throws `JobFailure` `all_trials_failed` when no trial completed, and `TrainingStopped` on a
 * cancel.
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
  const terms: StudyTerms = {
    metric,
    direction,
    pruner: tuning.strategy === 'hyperband' ? 'hyperband' : tuning.early_stopping,
  };
  const index = process.env.AWS_BATCH_JOB_ARRAY_INDEX;
  const parallel = index !== undefined;
  const lead = !parallel || index === '0';
  const worker = `w${index ?? 0}${Math.random().toString(36).slice(2, 8)}`;
  const journal = new StudyJournal(events, spec.id, { attempt: ctx.attempt, worker }, terms);
  const runner = new TrialRunner(
    ctx,
    { raw, split, base, store },
    journal,
    { metric, direction },
    worker,
  );

  /** The study as the journal says now, new events going to the journal. */
  const rebuild = async (): Promise<{ study: Study; log: StudyLog }> => {
    const log = await journal.read();
    const study = new Study({
      sampler: createSampler(
        tuning.strategy === 'hyperband' ? 'random' : tuning.strategy,
        tuning.search_space,
        { seed: spec.seed },
      ),
      pruner: createPruner(terms.pruner, { maxResource: spec.hyperparameters.epochs }),
      direction,
      maxTrials: tuning.max_trials,
      events: log.events,
      onEvent: journal.record,
    });
    return { study, log };
  };

  let { study, log } = await rebuild();
  if (study.trials.length === 0 && lead) await events.append(spec.id, studyStarted(tuning, terms));

  // Trials an earlier attempt left running: the lead resumes them from their checkpoints.
  if (lead) {
    for (const t of study.trials.filter(
      (t) => t.state === 'running' && (log.startedIn.get(t.number) ?? 0) < ctx.attempt,
    )) {
      await runner.run(study, t.number);
    }
  }
  for (;;) {
    ({ study, log } = await rebuild());
    const number = study.trials.length;
    if (number >= tuning.max_trials) break;
    if (parallel && !(await claimTrial(storage, spec.id, ctx.attempt, number, worker))) {
      await sleep(200 + Math.random() * 300);
      continue;
    }
    const next = study.ask();
    if (!next) break;
    await journal.flush();
    await runner.run(study, next.number);
  }
  if (!lead) return undefined;

  // Wait for the other workers' trials to end.
  while (study.trials.some((t) => t.state === 'running')) {
    await sleep(1000);
    if (ctx.stopping()) throw new TrainingStopped();
    ({ study } = await rebuild());
  }
  const winner = study.bestTrial;
  if (study.status === 'failed' || !winner || winner.value === undefined) {
    throw new JobFailure(
      'all_trials_failed',
      `Every trial failed: ${study.failureReason ?? 'no trial completed'}`,
      'tuning',
    );
  }
  await events.append(spec.id, studyBest({ ...winner, value: winner.value }, terms));
  // The best trial ran here, or in another worker or an earlier attempt: then its model is in S3.
  const trained =
    runner.take(winner.number) ?? (await loadTrialModel(storage, spec.id, winner.number, raw));
  return { trained, trial: winner.number, spec: trialSpec(spec, winner.params as never) };
}
