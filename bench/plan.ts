/**
 * `npm run bench:plan [-- --families dense,conv,recurrent,attention --epochs 1,3]`: measures the
 * local trainer's speed per model family, to calibrate the plan's time estimate
 * (`LOCAL_CALIBRATION` in packages/shared/src/plan/calibration.ts), and prints the plan's
 * estimate beside each measured run.
 *
 * For each family one job runs twice through `npm start`'s platform (real HTTP, real S3, the
 * local runner), with E1 and E2 epochs and no early stopping; the wall time from creation to the
 * published model gives, by the difference of the two runs, the seconds of one epoch
 * (`(T2 − T1) / (E2 − E1)`) and the start-up (`T1 − E1 × epoch`). The family's seconds per
 * multiply-add follow from the plan's own model shape (`modelShape`):
 * `(epoch − steps × stepSeconds) / ((train + validation / 3) × macs)`, the formula `planJob` uses.
 *
 * Data (real, from @trainyard/testing): dense, an MLP over 1,000 MNIST digits as 784 pixel
 * columns; conv, the default CNN on the same digits as 28×28 PNGs; recurrent, a GRU on 400
 * SpamAssassin messages; attention, the attention encoder on the same messages.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform } from '@trainyard/local';
import {
  type CreateDataset,
  type CreateFineTuningJob as CreateJob,
  Trainyard,
} from '@trainyard/sdk';
import {
  type JobPlan,
  type JobSpec,
  LOCAL_CALIBRATION,
  loadConfig,
  modelShape,
  type PlanInput,
} from '@trainyard/shared';
import { digitPng, makeZip, mnistDigits, spamAndHam, toCsv } from '@trainyard/testing';

type Family = keyof typeof LOCAL_CALIBRATION.secondsPerMac;
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const FAMILIES = arg('families', 'dense,conv,recurrent,attention').split(',') as Family[];
const [E1, E2] = arg('epochs', '1,3').split(',').map(Number) as [number, number];

interface Case {
  readonly dataset: CreateDataset;
  readonly file: () => Promise<Blob>;
  readonly job: Omit<CreateJob, 'dataset'>;
}

const digits = () => mnistDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 100);
const messages = () =>
  new Blob(spamAndHam(200).map((m) => `${JSON.stringify({ text: m.text, label: m.label })}\n`));
const CASES: Record<Family, Case> = {
  dense: {
    dataset: {
      name: 'digits-table',
      task: 'tabular_classification',
      format: 'csv',
      label_column: 'digit',
    },
    file: async () => {
      const header = [...Array.from({ length: 784 }, (_, i) => `p${i}`), 'digit'];
      const rows = digits().map((d) => [...d.pixels, `d${d.label}`]);
      return new Blob([toCsv(header, rows)]);
    },
    job: { architecture: { type: 'mlp', head: { units: [128, 64] } } },
  },
  conv: {
    dataset: { name: 'digits', task: 'image_classification', format: 'image_folder_zip' },
    file: async () => {
      const entries = await Promise.all(
        digits().map(async (d, i) => ({ name: `d${d.label}/${i}.png`, data: await digitPng(d) })),
      );
      return new Blob([makeZip(entries)]);
    },
    job: { architecture: { type: 'cnn' } },
  },
  recurrent: {
    dataset: { name: 'spam', task: 'text_classification', format: 'jsonl' },
    file: async () => messages(),
    job: { architecture: { type: 'gru' } },
  },
  attention: {
    dataset: { name: 'spam', task: 'text_classification', format: 'jsonl' },
    file: async () => messages(),
    job: { architecture: { type: 'attention' } },
  },
};

/** The family's fitted seconds per multiply-add, from the plan's own model shape. */
function fittedSecondsPerMac(plan: JobPlan, epoch: number, classes: number): string {
  const shape = modelShape(plan.spec as JobSpec, plan.input as PlanInput, classes);
  const e = plan.estimate;
  const examples = e.train_examples + e.validation_examples / 3;
  const fitted =
    (epoch - e.steps_per_epoch * LOCAL_CALIBRATION.stepSeconds) / (examples * shape.macs);
  return fitted > 0 ? fitted.toExponential(2) : 'n/a (step-bound)';
}

const dataDir = await mkdtemp(join(tmpdir(), 'trainyard-bench-plan-'));
process.env.TRAINYARD_DATA_DIR = dataDir;
process.env.API_PORT = '0';
process.env.INFER_PORT = '0';
process.env.LOG_LEVEL = 'warn';
const platform = await startPlatform(loadConfig(), { trainerOutput: 'ignore' });
const ty = new Trainyard({ baseUrl: platform.apiUrl, apiKey: platform.apiKey.secret! });
const rows: string[][] = [];
try {
  for (const family of FAMILIES) {
    const c = CASES[family];
    const dataset = await ty.datasets.createFromFile(c.dataset, await c.file());
    if (dataset.status !== 'ready') throw new Error(`${family}: dataset ${dataset.status}`);
    const classes = Object.keys(dataset.report?.stats?.classes ?? {}).length;
    const timed = async (epochs: number) => {
      const body = {
        ...c.job,
        dataset: dataset.id,
        hyperparameters: { epochs, fine_tune_epochs: 0, early_stopping: null },
      } as CreateJob;
      const plan = (await ty.jobs.plan(body)) as unknown as JobPlan;
      const started = performance.now();
      const job = await ty.jobs.wait((await ty.jobs.create(body)).id);
      if (job.status !== 'succeeded') throw new Error(`${family}: job ${job.status}`);
      return { plan, seconds: (performance.now() - started) / 1000 };
    };
    const first = await timed(E1);
    const second = await timed(E2);
    const epoch = (second.seconds - first.seconds) / (E2 - E1);
    const e = second.plan.estimate;
    rows.push([
      family,
      String(e.parameters),
      `${e.train_examples}+${e.validation_examples}`,
      String(e.steps_per_epoch),
      String(e.seconds),
      second.seconds.toFixed(1),
      (e.seconds! / second.seconds).toFixed(2),
      epoch.toFixed(2),
      (first.seconds - E1 * epoch).toFixed(1),
      fittedSecondsPerMac(second.plan, epoch, classes),
    ]);
    console.log(`${family}: done`);
  }
} finally {
  await platform.close();
  await rm(dataDir, { recursive: true, force: true });
}

const header = [
  'family',
  'params',
  'train+val',
  'steps/ep',
  `planned s (${E2} ep)`,
  'ran s',
  'planned/ran',
  's/epoch',
  'startup s',
  'fitted s/MAC',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((x, i) => x.padEnd(widths[i]!)).join('  ');
console.log(`\n${line(header)}`);
for (const r of rows) console.log(line(r));
console.log(
  `\ncalibration in use: startup s ${JSON.stringify(LOCAL_CALIBRATION.startupSeconds)}, step ${LOCAL_CALIBRATION.stepSeconds} s, s/MAC ${JSON.stringify(LOCAL_CALIBRATION.secondsPerMac)} (${LOCAL_CALIBRATION.measuredOn})`,
);
