/**
 * What bench/quality.ts and bench/fewshot.ts share: a data set split into what the platform uploads
 * and what both sides are scored on (`Case`), the platform's side (a dataset through the dataset
 * service, then the trainer's own `runJob` with a spec resolved from the request, and the
 * published model answering the held-out examples through `loadPredictor`), scikit-learn's side
 * (bench/quality_sklearn.py), and the scores.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetService } from '@trainyard/datasets';
import { loadPredictor } from '@trainyard/ml';
import type { PredictInputs } from '@trainyard/predict';
import {
  type ClassScore,
  type CreateDataset,
  type CreateJob,
  type JobEvent,
  JobEventLog,
  type JobSpec,
  keys,
  newId,
  type RegressionValue,
  type Runtime,
  resolveJobSpec,
} from '@trainyard/shared';
import { runJob } from '@trainyard/train';

export type Truth = string | number;

/** One data set, split: what the platform uploads, and what both sides are scored on. */
export interface Case {
  readonly name: string;
  readonly create: CreateDataset;
  /** The training part as the file a user uploads. */
  readonly file: Uint8Array | string;
  readonly testInputs: PredictInputs;
  readonly testTruth: Truth[];
  /** What the job asks beyond `{dataset}` (default: nothing, every default). */
  readonly request?: Omit<CreateJob, 'dataset'>;
  /** The same training and test examples for bench/quality_sklearn.py. */
  readonly sklearn: {
    kind: 'table' | 'text' | 'image' | 'features';
    task: 'classification' | 'regression';
    train: { x: unknown[]; y: Truth[] };
    test: { x: unknown[] };
  };
}

/** Accuracy and macro-averaged F1 (scikit-learn's `f1_score(average="macro")`). */
export function classificationScores(truth: Truth[], predicted: Truth[]) {
  const labels = [...new Set(truth.map(String))];
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (String(truth[i]) === String(predicted[i])) right++;
  const f1s = labels.map((label) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < truth.length; i++) {
      const t = String(truth[i]) === label;
      const p = String(predicted[i]) === label;
      if (t && p) tp++;
      else if (p) fp++;
      else if (t) fn++;
    }
    return tp ? (2 * tp) / (2 * tp + fp + fn) : 0;
  });
  return { accuracy: right / truth.length, macroF1: f1s.reduce((a, b) => a + b, 0) / f1s.length };
}

export function regressionScores(truth: Truth[], predicted: Truth[]) {
  let sq = 0;
  let abs = 0;
  for (let i = 0; i < truth.length; i++) {
    const e = Number(predicted[i]) - Number(truth[i]);
    sq += e * e;
    abs += Math.abs(e);
  }
  return { rmse: Math.sqrt(sq / truth.length), mae: abs / truth.length };
}

export interface Side {
  predictions: Truth[];
  seconds: number;
  model: string;
}

/** The platform's side: also the spec the job ran with and its events (what a user sees). */
export interface TrainyardSide extends Side {
  spec: JobSpec;
  events: JobEvent[];
}

/** `a` with `b`'s fields over it, one level deep (`hyperparameters`, `architecture`, …). */
function merged(
  a: Omit<CreateJob, 'dataset'>,
  b: Omit<CreateJob, 'dataset'>,
): Omit<CreateJob, 'dataset'> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const old = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && old && typeof old === 'object'
        ? { ...old, ...v }
        : v;
  }
  return out as Omit<CreateJob, 'dataset'>;
}

/**
 * Uploads the training part, trains with every default (the case's request, then `seed` and
 * `extra` merged over it), predicts the held-out part.
 */
export async function trainyard(
  runtime: Runtime,
  backend: Parameters<typeof runJob>[0]['backend'],
  c: Case,
  seed?: number,
  extra: Omit<CreateJob, 'dataset'> = {},
): Promise<TrainyardSide> {
  const started = performance.now();
  const datasets = new DatasetService({
    storage: runtime.storage,
    logger: runtime.logger,
    uploadMaxBytes: 64 << 20,
  });
  const { dataset } = await datasets.create(c.create);
  await datasets.uploadThroughApi(dataset.id, new Blob([c.file]).stream());
  const ready = await datasets.complete(dataset.id);
  if (ready.status !== 'ready')
    throw new Error(`${c.name}: dataset ${ready.status}: ${JSON.stringify(ready.report ?? ready)}`);
  const jobId = newId('ftjob');
  const request = merged({ ...c.request, ...(seed === undefined ? {} : { seed }) }, extra);
  const spec = resolveJobSpec(jobId, { ...request, dataset: dataset.id }, ready);
  await runtime.storage.putJson(keys.jobSpec(jobId), spec);
  const events = new JobEventLog(runtime.storage, 'bench');
  const modelId = await runJob({
    spec,
    storage: runtime.storage,
    events,
    logger: runtime.logger,
    backend,
    attempt: 1,
    stopping: () => false,
  });
  if (!modelId) throw new Error(`${c.name}: no model`);
  const predictor = await loadPredictor(runtime.storage, modelId);
  const answers = await predictor.predict(c.testInputs, { top_k: 1 });
  const predictions = answers.map((a) =>
    'value' in a[0]! ? (a[0] as RegressionValue).value : (a[0] as ClassScore).label!,
  );
  const hp = spec.hyperparameters;
  return {
    predictions,
    spec,
    events: await events.list(spec.id),
    seconds: (performance.now() - started) / 1000,
    model: `${spec.architecture.type}${spec.architecture.embeddings ? ` from ${spec.architecture.embeddings.base_model}` : ''}, ${hp.epochs} epochs${hp.early_stopping ? ' (early stopping)' : ''}${hp.class_weight ? `, class_weight ${JSON.stringify(hp.class_weight)}` : ''}`,
  };
}

/** An interpreter that imports sklearn; installs Debian's python3-sklearn (as root) when none can. */
export function findSklearnPython(): { python?: string; note: string } {
  const candidates = ['/usr/bin/python3', 'python3'];
  const works = (python: string) =>
    spawnSync(python, ['-c', 'import sklearn, numpy'], { stdio: 'ignore' }).status === 0;
  const found = candidates.find(works);
  if (found) return { python: found, note: '' };
  if (process.getuid?.() !== 0)
    return { note: 'python3-sklearn is not installed (run as root to let the bench install it)' };
  console.log('python3-sklearn is missing: installing it with apt-get (Debian) …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  spawnSync(
    'apt-get',
    ['install', '-y', '--no-install-recommends', 'python3-sklearn', 'python3-numpy'],
    {
      stdio: 'inherit',
      env,
    },
  );
  const after = candidates.find(works);
  return after
    ? { python: after, note: 'installed python3-sklearn with apt-get' }
    : { note: 'apt-get could not install python3-sklearn' };
}

export function sklearn(python: string, c: Case): Side & { version: string } {
  const folder = mkdtempSync(join(os.tmpdir(), 'trainyard-bench-quality-'));
  try {
    const file = join(folder, 'task.json');
    writeFileSync(file, JSON.stringify(c.sklearn));
    const script = join(dirname(fileURLToPath(import.meta.url)), 'quality_sklearn.py');
    const run = spawnSync(python, [script, file], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (run.status !== 0)
      throw new Error(`quality_sklearn.py failed on ${c.name}: ${run.stderr.trim()}`);
    const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      predictions: Truth[];
      model: string;
      sklearn: string;
      seconds: number;
    };
    return { ...out, version: out.sklearn };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
