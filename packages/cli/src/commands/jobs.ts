import { readFile } from 'node:fs/promises';
import type {
  ArchitectureType,
  CreateFineTuningJob,
  FineTuningJob,
  FineTuningJobPlan,
  Trainyard,
} from '@trainyard/sdk';
import { augmentationSummary } from '@trainyard/shared';
import { type Command, Option } from 'commander';
import { pc } from '../colors';
import type { Context } from '../context';
import { CliExit, EXIT, usage } from '../exit';
import { countOption, numberOption } from '../numbers';
import { cell, when } from '../output';
import { jobProgress } from '../progress';

/**
 * Every `architecture.type` the API takes, from the shared schema through the SDK's generated
 * types: a type the schema adds or drops fails `tsc` here, so `--help` cannot fall behind.
 */
const ARCHITECTURES: Record<ArchitectureType, true> = {
  transfer: true,
  cnn: true,
  resnet: true,
  mlp: true,
  rnn: true,
  lstm: true,
  gru: true,
  attention: true,
  bag_of_embeddings: true,
};

type Run = (command: Command, fn: (ctx: Context, ...args: never[]) => Promise<void>) => void;

interface CreateFlags {
  readonly dataset?: string;
  readonly spec?: string;
  readonly epochs?: number;
  readonly learningRate?: number;
  readonly batchSize?: number;
  readonly architecture?: string;
  readonly baseModel?: string;
  readonly modelName?: string;
  readonly validationSplit?: number;
  readonly seed?: number;
  readonly follow?: boolean;
}

/** `--spec` as JSON, or `@file.json`. */
async function readSpec(spec: string | undefined): Promise<Record<string, unknown>> {
  if (!spec) return {};
  const text = spec.startsWith('@') ? await readFile(spec.slice(1), 'utf8') : spec;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw usage(`--spec is not JSON: ${(error as Error).message}`);
  }
}

/**
 * The job body: `--spec` first, then the shortcut flags over it. The dataset is `--dataset`, else
 * `--spec`'s `dataset`; throws a usage error (exit 2) naming both when neither has one.
 */
async function jobBody(flags: CreateFlags): Promise<CreateFineTuningJob> {
  const spec = await readSpec(flags.spec);
  const dataset = flags.dataset ?? spec.dataset;
  if (typeof dataset !== 'string' || dataset === '') {
    throw usage(
      `A job needs a dataset: --dataset ds_…, or "dataset" in --spec (${
        flags.spec ? `received ${JSON.stringify(spec.dataset ?? null)} there` : 'none given'
      })`,
    );
  }
  const hyperparameters = {
    ...(spec.hyperparameters as object | undefined),
    ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}),
    ...(flags.learningRate !== undefined ? { learning_rate: flags.learningRate } : {}),
    ...(flags.batchSize !== undefined ? { batch_size: flags.batchSize } : {}),
  };
  return {
    ...spec,
    dataset,
    ...(Object.keys(hyperparameters).length ? { hyperparameters } : {}),
    ...(flags.architecture
      ? { architecture: { ...(spec.architecture as object | undefined), type: flags.architecture } }
      : {}),
    ...(flags.baseModel ? { base_model: flags.baseModel } : {}),
    ...(flags.modelName ? { model_name: flags.modelName } : {}),
    ...(flags.validationSplit !== undefined ? { validation_split: flags.validationSplit } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
  } as CreateFineTuningJob;
}

const jobColumns = [
  { header: 'id', value: (j: FineTuningJob) => j.id },
  { header: 'status', value: (j: FineTuningJob) => j.status },
  { header: 'dataset', value: (j: FineTuningJob) => j.dataset },
  { header: 'model', value: (j: FineTuningJob) => j.result_model },
  { header: 'created', value: (j: FineTuningJob) => when(j.created_at) },
];

function showJob(ctx: Context, job: FineTuningJob): void {
  ctx.out.record(
    {
      id: job.id,
      status: job.status,
      dataset: job.dataset,
      task: job.task,
      architecture: job.architecture?.type,
      epochs: job.hyperparameters?.epochs,
      backend: job.backend,
      model: job.result_model,
      created: when(job.created_at),
      finished: when(job.finished_at),
      error: job.error ? `${job.error.code}: ${job.error.message}` : undefined,
    },
    job,
  );
}

/**
 * Follows a job to its end: live progress (a bar per epoch with the metrics on a terminal, a
 * line per event otherwise, NDJSON with `--json`), then a summary with the model and its
 * metrics. Ctrl-C stops following (exit 130), not the job. Exit 3 when it failed or was cancelled.
 */
export async function followJob(ctx: Context, client: Trainyard, id: string): Promise<void> {
  const start = await client.jobs.get(id);
  // A transfer job fine-tunes for `fine_tune_epochs` after its `epochs`: the bar counts both.
  const hp = start.hyperparameters;
  const progress = jobProgress(
    ctx.out,
    hp?.epochs === undefined ? undefined : hp.epochs + (hp.fine_tune_epochs ?? 0),
  );
  try {
    for await (const event of client.jobs.follow(id, { signal: ctx.signal })) {
      if (ctx.out.json) ctx.out.data(event);
      else progress.event(event);
    }
  } finally {
    progress.stop();
  }
  if (ctx.signal.aborted) {
    throw new CliExit(
      EXIT.interrupted,
      `Stopped following; job ${id} goes on (trainyard jobs follow ${id}, or jobs cancel ${id})`,
    );
  }
  const job = await client.jobs.get(id);
  if (ctx.out.json) {
    ctx.out.data(job);
  } else {
    ctx.out.line();
    const color = job.status === 'succeeded' ? pc.green : pc.red;
    ctx.out.line(`job       ${job.id} ${color(job.status)}`);
    if (job.error) ctx.out.line(`error     ${job.error.code}: ${job.error.message}`);
    if (job.result_model) {
      const model = await client.models.get(job.result_model);
      ctx.out.line(`model     ${model.id}`);
      const metrics = (model.metrics ?? {}) as Record<string, unknown>;
      const shown = Object.entries(metrics).filter(([, v]) => typeof v === 'number');
      if (shown.length)
        ctx.out.line(`metrics   ${shown.map(([k, v]) => `${k} ${cell(v)}`).join(', ')}`);
      ctx.out.line(`predict   trainyard predict ${model.id} …`);
    }
  }
  if (job.status !== 'succeeded') {
    throw new CliExit(EXIT.jobFailed, `Job ${id} ${job.status}`);
  }
}

/** The job body's flags, the same for `jobs create` and `jobs plan`. */
function withJobFlags(command: Command): Command {
  return command
    .option(
      '--dataset <id>',
      'the ready dataset to train on (required unless --spec has "dataset")',
    )
    .option('--spec <json>', 'the whole job body as JSON, or @file.json (flags below win)')
    .option(
      '--epochs <n>',
      'hyperparameters.epochs (a transfer job then fine-tunes for hyperparameters.fine_tune_epochs more)',
      countOption,
    )
    .option('--learning-rate <rate>', 'hyperparameters.learning_rate', numberOption({ gt: 0 }))
    .option('--batch-size <n>', 'hyperparameters.batch_size', countOption)
    .addOption(
      new Option(
        '--architecture <type>',
        'architecture.type (default: picked for the task and dataset size)',
      ).choices(Object.keys(ARCHITECTURES)),
    )
    .option('--base-model <id>', 'bm_… or model_… to transfer from')
    .option('--model-name <name>', 'name of the model it publishes')
    .option('--validation-split <fraction>', 'validation_split', numberOption({ gt: 0, lt: 1 }))
    .option('--seed <n>', 'seed', numberOption({ integer: true, min: 0 }));
}

/** A plan: the values the job would run with that matter most, then the estimate. */
function showPlan(ctx: Context, plan: FineTuningJobPlan): void {
  const { spec, estimate: e, input } = plan;
  const mib = (bytes: number | null) =>
    bytes === null ? null : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  ctx.out.record(
    {
      task: spec.task,
      architecture: spec.architecture.type,
      // What a default job chose that the request did not name: the base and the word vectors.
      'base model': spec.base_model
        ? `${spec.base_model}, cut at ${spec.architecture.cut_layer ?? 'its default layer'}${spec.architecture.input_size ? `, at ${spec.architecture.input_size.join('×')}` : ''}`
        : undefined,
      embeddings: spec.architecture.embeddings
        ? `${spec.architecture.embeddings.base_model} (${spec.architecture.embeddings.trainable ? 'fine-tuned' : 'frozen'})`
        : undefined,
      // Images only: the other tasks have nothing to augment.
      augmentation:
        spec.task === 'image_classification' ? augmentationSummary(spec.augmentation) : undefined,
      input: input
        ? Object.entries(input)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')
        : null,
      epochs: e.epochs,
      'batch size': spec.hyperparameters.batch_size,
      optimizer: `${spec.hyperparameters.optimizer} (learning rate ${spec.hyperparameters.learning_rate})`,
      examples: `${e.train_examples} train, ${e.validation_examples} validation`,
      steps: `${e.steps} (${e.steps_per_epoch} per epoch${e.trials > 1 ? `, ${e.trials} trials` : ''})`,
      parameters: e.parameters,
      memory: mib(e.memory_bytes),
      time:
        e.seconds === null
          ? null
          : `~${formatSeconds(e.seconds)} on the local ${e.calibration.backend} backend`,
      notes: plan.notes.length ? plan.notes.join('; ') : undefined,
    },
    plan,
  );
}

function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function registerJobs(program: Command, run: Run): void {
  const jobs = program.command('jobs').description('Create, follow and manage fine-tuning jobs');

  run(
    withJobFlags(
      jobs
        .command('plan')
        .description(
          'What a job would run with and cost (parameters, memory, steps, time), creating nothing',
        ),
    ),
    async (ctx, flags: CreateFlags) =>
      showPlan(ctx, await ctx.client().jobs.plan(await jobBody(flags))),
  );

  run(
    withJobFlags(
      jobs
        .command('create')
        .description('Create a fine-tuning job (every field but the dataset has a default)'),
    ).option('--follow', 'follow it to its end (exit 3 if it fails)'),
    async (ctx, flags: CreateFlags) => {
      const client = ctx.client();
      const job = await client.jobs.create(await jobBody(flags));
      if (!flags.follow) return showJob(ctx, job);
      if (ctx.out.json) ctx.out.data(job);
      else ctx.out.line(`job       ${job.id} ${job.status}`);
      await followJob(ctx, client, job.id);
    },
  );

  run(
    jobs
      .command('list')
      .description('List jobs, oldest first')
      .option('--limit <n>', 'at most this many', countOption),
    async (ctx, flags: { limit?: number }) => {
      const rows: FineTuningJob[] = [];
      for await (const j of ctx.client().jobs.list({ limit: Math.min(flags.limit ?? 100, 100) })) {
        rows.push(j);
        if (flags.limit && rows.length >= flags.limit) break;
      }
      ctx.out.table(rows, jobColumns);
    },
  );

  run(jobs.command('show').description('Show a job').argument('<id>'), async (ctx, id: string) =>
    showJob(ctx, await ctx.client().jobs.get(id)),
  );

  run(
    jobs
      .command('follow')
      .description('Follow a job live to its end; Ctrl-C stops following, not the job')
      .argument('<id>'),
    async (ctx, id: string) => followJob(ctx, ctx.client(), id),
  );

  run(
    jobs.command('cancel').description('Cancel a queued or running job').argument('<id>'),
    async (ctx, id: string) => showJob(ctx, await ctx.client().jobs.cancel(id)),
  );

  run(
    jobs
      .command('events')
      .description('A job’s events so far (NDJSON with --json)')
      .argument('<id>'),
    async (ctx, id: string) => {
      for await (const event of ctx.client().jobs.events(id)) {
        if (ctx.out.json) ctx.out.data(event);
        else ctx.out.line(`${when(event.created_at)}  ${event.type.padEnd(18)} ${event.message}`);
      }
    },
  );

  run(
    jobs.command('metrics').description('Metrics per epoch').argument('<id>'),
    async (ctx, id: string) => {
      const metrics = await ctx.client().jobs.metrics(id);
      ctx.out.table(
        metrics.data,
        [
          'trial',
          'phase',
          'epoch',
          'loss',
          'accuracy',
          'val_loss',
          'val_accuracy',
          'learning_rate',
          'seconds',
        ].map((k) => ({ header: k, value: (row: Record<string, unknown>) => row[k] })),
        metrics,
      );
    },
  );

  run(
    jobs.command('trials').description('Tuning trials').argument('<id>'),
    async (ctx, id: string) => {
      const trials = await ctx.client().jobs.trials(id);
      ctx.out.table(
        trials.data,
        ['number', 'status', 'objective', 'epochs', 'pruned', 'params'].map((k) => ({
          header: k,
          value: (row: Record<string, unknown>) => row[k],
        })),
        trials,
      );
    },
  );
}
