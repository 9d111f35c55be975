import type { Dataset } from '@trainyard/sdk';
import { type Command, Option } from 'commander';
import type { Context } from '../context';
import { type DatasetFlags, datasetSpec, openDatasetPath } from '../dataset-file';
import { CliExit, EXIT } from '../exit';
import { countOption } from '../numbers';
import { when } from '../output';
import { uploadBar } from '../progress';
import { printDataset, printReport } from '../report';
import { validateLocally } from '../validate-local';

type Run = (command: Command, fn: (ctx: Context, ...args: never[]) => Promise<void>) => void;

const datasetOptions = (command: Command) =>
  command
    .option('--name <name>', 'dataset name (default: the file name)')
    .addOption(
      new Option('--task <task>', 'default: from the extension').choices([
        'image_classification',
        'tabular_classification',
        'tabular_regression',
        'text_classification',
      ]),
    )
    .addOption(
      new Option(
        '--format <format>',
        'default: from the extension (a folder: image_folder_zip)',
      ).choices(['csv', 'jsonl', 'image_folder_zip']),
    )
    .option('--label-column <name>', 'CSV: the column to predict (required for CSV)')
    .option('--delimiter <char>', 'CSV: field delimiter (default: sniffed; \\t for tab)')
    .addOption(
      new Option('--decimal <mark>', 'CSV: decimal mark (default: sniffed)').choices(['.', ',']),
    )
    .option('--thousands <sep>', 'CSV: digit-grouping separator ("" for none)')
    .option(
      '--encoding <name>',
      'CSV: text encoding, e.g. windows-1252 (default: UTF-8, or UTF-16 when the file starts with its byte-order mark; not guessed otherwise)',
    )
    .option(
      '--merge-near-duplicate-labels',
      'merge labels that differ only in case, width, spaces or trailing punctuation into their most frequent spelling',
    );

const datasetColumns = [
  { header: 'id', value: (d: Dataset) => d.id },
  { header: 'name', value: (d: Dataset) => d.name },
  { header: 'task', value: (d: Dataset) => d.task },
  { header: 'status', value: (d: Dataset) => d.status },
  { header: 'examples', value: (d: Dataset) => d.report?.stats?.examples },
  { header: 'created', value: (d: Dataset) => when(d.created_at) },
];

/** Exit 1 after printing an invalid dataset. */
const failIfInvalid = (status: string) => {
  if (status === 'invalid')
    throw new CliExit(EXIT.failure, 'The dataset is invalid: see its errors above');
};

export function registerDatasets(program: Command, run: Run): void {
  const datasets = program.command('datasets').description('Upload, validate and manage datasets');

  run(
    datasetOptions(
      datasets
        .command('create')
        .description('Create a dataset awaiting its file (then: datasets upload PATH --dataset ID)')
        .argument('[path]', 'the file it will hold, to take the name, task and format from'),
    ).option(
      '--size <bytes>',
      'size of the file to come (large files get multipart URLs)',
      countOption,
    ),
    async (ctx, path: string | undefined, flags: DatasetFlags & { size?: number }) => {
      const spec = path
        ? datasetSpec(path, false, flags)
        : datasetSpec(flags.name ?? 'dataset', false, flags);
      const created = await ctx.client().datasets.create({
        ...spec,
        ...(flags.size ? { size_bytes: flags.size } : {}),
      });
      ctx.out.record(
        {
          id: created.id,
          name: created.name,
          status: created.status,
          upload: created.upload.method,
        },
        created,
      );
    },
  );

  run(
    datasetOptions(
      datasets
        .command('upload')
        .description('Upload a file or folder (zipped for you) as a dataset, and validate it')
        .argument('<path>', 'a CSV, a JSONL, an image zip, or a folder of class folders'),
    )
      .option(
        '--dataset <id>',
        'upload into this dataset (from datasets create) instead of a new one',
      )
      .option('--wait', 'wait until validation ends and print the report (exit 1 if invalid)'),
    async (ctx, path: string, flags: DatasetFlags & { dataset?: string; wait?: boolean }) => {
      const client = ctx.client();
      const { spec, file, cleanup } = await openDatasetPath(path, flags, !flags.dataset);
      const bar = uploadBar(ctx.out, file.name);
      try {
        const target =
          flags.dataset ??
          (await client.datasets.create({ ...spec!, size_bytes: file.size || undefined }));
        const id = typeof target === 'string' ? target : target.id;
        ctx.out.note(`uploading ${path} (${file.size} bytes) to ${id}`);
        const uploaded = await client.datasets.upload(target, file, {
          onProgress: (p) => bar.update(p),
          signal: ctx.signal,
        });
        bar.stop();
        let dataset = await client.datasets.complete(id, uploaded);
        if (flags.wait && dataset.status === 'validating') {
          dataset = await client.datasets.waitUntilValidated(id, { signal: ctx.signal });
        }
        if (ctx.out.json) ctx.out.data(dataset);
        else printDataset(ctx.out, dataset);
        if (flags.wait) failIfInvalid(dataset.status);
      } finally {
        bar.stop();
        await cleanup();
      }
    },
  );

  run(
    datasets
      .command('list')
      .description('List datasets, oldest first')
      .option('--limit <n>', 'at most this many', countOption),
    async (ctx, flags: { limit?: number }) => {
      const rows: Dataset[] = [];
      for await (const d of ctx
        .client()
        .datasets.list({ limit: Math.min(flags.limit ?? 100, 100) })) {
        rows.push(d);
        if (flags.limit && rows.length >= flags.limit) break;
      }
      ctx.out.table(rows, datasetColumns);
    },
  );

  run(
    datasets
      .command('show')
      .description('Show a dataset with its validation report')
      .argument('<id>'),
    async (ctx, id: string) => {
      const dataset = await ctx.client().datasets.get(id);
      if (ctx.out.json) ctx.out.data(dataset);
      else printDataset(ctx.out, dataset);
    },
  );

  run(
    datasets.command('delete').description('Delete a dataset and its files').argument('<id>'),
    async (ctx, id: string) => {
      const deleted = await ctx.client().datasets.delete(id);
      ctx.out.record({ deleted: deleted.id }, deleted);
    },
  );

  run(
    datasetOptions(
      datasets
        .command('validate')
        .description(
          'Validate a file or folder locally with the platform’s own validators (nothing is uploaded); exit 1 on errors',
        )
        .argument('<path>', 'a CSV, a JSONL, an image zip, or a folder of class folders'),
    ),
    async (ctx, path: string, flags: DatasetFlags) => {
      const { spec, file, cleanup } = await openDatasetPath(path, flags);
      try {
        const { status, report } = await validateLocally(spec!, file);
        if (ctx.out.json) ctx.out.data({ path, ...spec, status, report });
        else printReport(ctx.out, status, report);
        failIfInvalid(status);
      } finally {
        await cleanup();
      }
    },
  );
}
