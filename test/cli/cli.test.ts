import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Dataset, Trainyard } from '@trainyard/sdk';
import { fileFromPath } from '@trainyard/sdk/node';
import { iris, toCsv } from '@trainyard/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformHarness } from '../jobs/platform-support';

// The `trainyard` command as a user runs it (a subprocess: `npx trainyard` runs this very bin)
// against `npm start`'s platform in this process, over real HTTP and the real S3 endpoint.

const BIN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'trainyard.js');
const REALWORLD = join(import.meta.dirname, '..', 'fixtures', 'realworld');
let harness: Awaited<ReturnType<typeof platformHarness>>;
let env: Record<string, string>;
let ty: Trainyard;
let dir: string;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finish(child: ChildProcess): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const cli = (...args: string[]) => finish(start(args));
/** An environment with no TRAINYARD_* variable. */
const withoutTrainyard = (from: NodeJS.ProcessEnv) =>
  Object.fromEntries(Object.entries(from).filter(([name]) => !name.startsWith('TRAINYARD_')));
const ndjson = (text: string) =>
  text
    .trim()
    .split('\n')
    // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary fields
    .map((line) => JSON.parse(line) as any);

beforeAll(async () => {
  harness = await platformHarness();
  const platform = await harness.start();
  env = {
    TRAINYARD_API_URL: platform.apiUrl,
    TRAINYARD_INFER_URL: platform.inferUrl,
    TRAINYARD_API_KEY: platform.apiKey.secret!,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  ty = new Trainyard({
    baseUrl: platform.apiUrl,
    inferUrl: platform.inferUrl,
    apiKey: platform.apiKey.secret,
  });
  dir = await mkdtemp(join(tmpdir(), 'trainyard-cli-'));
  const { header, rows } = iris();
  await writeFile(join(dir, 'iris.csv'), toCsv(header, rows));
});
afterAll(async () => {
  await harness.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('exit codes', () => {
  it('help works offline (0); a missing required flag is a usage error (2)', async () => {
    const help = await cli('--help', '--api-url', 'http://127.0.0.1:9');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/datasets[\s\S]*jobs[\s\S]*predict/);
    expect(help.stdout).toMatch(/TRAINYARD_API_URL[\s\S]*login[\s\S]*platform\.json[\s\S]*8787/);
    const missing = await cli('jobs', 'create');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'A job needs a dataset: --dataset ds_…, or "dataset" in --spec',
    );
    const specWithout = await cli('jobs', 'create', '--spec', '{"hyperparameters":{"epochs":3}}');
    expect(specWithout.code).toBe(2);
    expect(specWithout.stderr).toContain('received null there');
  });

  it('--architecture lists every type the API takes, and refuses another by name', async () => {
    const help = await cli('jobs', 'create', '--help');
    expect(help.code).toBe(0);
    for (const type of ['transfer', 'cnn', 'resnet', 'mlp', 'rnn', 'lstm', 'gru', 'attention']) {
      expect(help.stdout).toContain(`"${type}"`);
    }
    expect(help.stdout).toContain('"bag_of_embeddings"');
    const wrong = await cli('jobs', 'plan', '--dataset', 'ds_x', '--architecture', 'transformer');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/'transformer' is invalid.*bag_of_embeddings/s);
  });

  it('nothing listening: exit 1, the URL tried and how the CLI finds a platform', async () => {
    const run = await cli('datasets', 'list', '--api-url', 'http://127.0.0.1:9');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Could not reach http://127.0.0.1:9');
    expect(run.stderr).toMatch(/npm start` on any port is found by itself.*platform\.json/);
  });

  it('a server error exits 1 with its message and request id on stderr', async () => {
    const run = await cli('datasets', 'show', 'ds_missing');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/ds_missing.*404.*request \S+/);
  });
});

describe('jobs plan says what a default job will start from', () => {
  it('names the word vectors a recurrent text model starts from, and none for the bag of embeddings', async () => {
    const lines = ['a fine sunny day', 'a dark stormy night'].flatMap((text, i) =>
      Array.from({ length: 6 }, (_, k) =>
        JSON.stringify({ text: `${text} number ${k}`, label: i ? 'bad' : 'good' }),
      ),
    );
    await writeFile(join(dir, 'weather.jsonl'), `${lines.join('\n')}\n`);
    const upload = await cli('datasets', 'upload', join(dir, 'weather.jsonl'), '--wait', '--json');
    expect(upload.code, upload.stderr).toBe(0);
    const dataset = ndjson(upload.stdout).at(-1);
    const gru = await cli('jobs', 'plan', '--dataset', dataset.id, '--architecture', 'gru');
    expect(gru.code, gru.stderr).toBe(0);
    expect(gru.stdout).toMatch(/embeddings\s+bm_glove100d \(fine-tuned\)/);
    expect(gru.stdout).not.toMatch(/base model/);
    const bag = await cli('jobs', 'plan', '--dataset', dataset.id);
    expect(bag.stdout).toMatch(/architecture\s+bag_of_embeddings/);
    expect(bag.stdout).not.toMatch(/embeddings\s+bm_/);
    expect(bag.stdout).not.toMatch(/augmentation/);
  });

  it('names the base and the augmentation a default image job fine-tunes with', async () => {
    const zip = join(REALWORLD, '01-exif-orientation', 'train.zip');
    const upload = await cli('datasets', 'upload', zip, '--wait', '--json');
    expect(upload.code, upload.stderr).toBe(0);
    const dataset = ndjson(upload.stdout).at(-1);
    const plan = await cli('jobs', 'plan', '--dataset', dataset.id);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(
      /base model\s+bm_mobilenetv2block13, cut at block_13_expand_relu, at 96×96/,
    );
    expect(plan.stdout).toMatch(/augmentation\s+downscale 0\.9\n/);
  });
});

describe('upload, train with --follow, predict', () => {
  it('iris end to end, --json at every step', async () => {
    const upload = await cli(
      'datasets',
      'upload',
      join(dir, 'iris.csv'),
      '--label-column',
      'species',
      '--wait',
      '--json',
    );
    expect(upload.code, upload.stderr).toBe(0);
    const dataset = ndjson(upload.stdout).at(-1);
    expect(dataset).toMatchObject({ status: 'ready', report: { stats: { examples: 150 } } });

    // `--spec` is the whole job body, its dataset included.
    const plan = await cli(
      'jobs',
      'plan',
      '--spec',
      JSON.stringify({ dataset: dataset.id, hyperparameters: { epochs: 3 } }),
      '--json',
    );
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({
      spec: { dataset: dataset.id, hyperparameters: { epochs: 3 } },
    });

    const train = await cli(
      'jobs',
      'create',
      '--dataset',
      dataset.id,
      '--epochs',
      '5',
      '--learning-rate',
      '0.05',
      '--follow',
      '--json',
    );
    expect(train.code, train.stderr).toBe(0);
    const lines = ndjson(train.stdout);
    expect(lines[0]).toMatchObject({ object: 'fine_tuning.job', dataset: dataset.id });
    const events = lines.slice(1, -1);
    expect(events.filter((e) => e.type === 'epoch.completed')).toHaveLength(5);
    const job = lines.at(-1);
    expect(job).toMatchObject({ id: lines[0].id, status: 'succeeded' });

    const predict = await cli(
      'predict',
      job.result_model,
      '--row',
      '{"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}',
      '--top-k',
      '2',
      '--json',
    );
    expect(predict.code, predict.stderr).toBe(0);
    const answer = JSON.parse(predict.stdout);
    expect(answer.model).toBe(job.result_model);
    expect(answer.predictions[0]).toHaveLength(2);

    // No URL and no key given: the running platform's data directory says where it listens
    // (its ports here are not 8787/8788) and holds its key.
    const found = await finish(
      spawn(
        process.execPath,
        [
          BIN,
          'predict',
          job.result_model,
          '--row',
          '{"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}',
          '--json',
        ],
        {
          env: {
            ...withoutTrainyard(process.env),
            TRAINYARD_DATA_DIR: harness.platform.config.dataDir,
            TRAINYARD_CONFIG: join(dir, 'no-login.json'),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    );
    expect(found.code, found.stderr).toBe(0);
    expect(JSON.parse(found.stdout).model).toBe(job.result_model);

    const human = await cli('models', 'list');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(job.result_model);
    const metrics = await cli('jobs', 'metrics', job.id, '--json');
    expect(JSON.parse(metrics.stdout).data).toHaveLength(5);
  }, 240_000);

  it('Ctrl-C during follow stops following (130) and leaves the job running', async () => {
    const dataset = await ty.datasets.createFromFile(
      { name: 'iris', task: 'tabular_classification', format: 'csv', label_column: 'species' },
      await fileFromPath(join(dir, 'iris.csv')),
    );
    const job = await ty.jobs.create({
      dataset: dataset.id,
      hyperparameters: { epochs: 1000, early_stopping: null },
    });
    const child = start(['jobs', 'follow', job.id]);
    const done = finish(child);
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('epoch.completed')) resolve();
      });
    });
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain(`job ${job.id} goes on`);
    const after = await ty.jobs.get(job.id);
    expect(after.status).toBe('running');
    expect(after.cancel_requested).toBe(false);
    await ty.jobs.cancel(job.id);
  }, 240_000);
});

describe('datasets validate', () => {
  const cases: Array<{
    file: string;
    flags: string[];
    spec: Parameters<Trainyard['datasets']['create']>[0];
  }> = [
    {
      file: '08-csv-excel-bom-quoted/patients.csv',
      flags: ['--label-column', 'Outcome'],
      spec: { name: 'p', task: 'tabular_classification', format: 'csv', label_column: 'Outcome' },
    },
    {
      file: '09-csv-semicolon-decimal-comma/iris-de.csv',
      flags: ['--label-column', 'Art'],
      spec: { name: 'i', task: 'tabular_classification', format: 'csv', label_column: 'Art' },
    },
    {
      file: '10-csv-thousands-separators/one-bad-cell.csv',
      flags: ['--label-column', 'approved'],
      spec: { name: 'l', task: 'tabular_classification', format: 'csv', label_column: 'approved' },
    },
    {
      file: '13-jsonl-windows-labels-case/reviews.jsonl',
      flags: [],
      spec: { name: 'r', task: 'text_classification', format: 'jsonl' },
    },
    {
      file: '13-jsonl-windows-labels-case/reviews.jsonl',
      flags: ['--merge-near-duplicate-labels'],
      spec: {
        name: 'm',
        task: 'text_classification',
        format: 'jsonl',
        merge_near_duplicate_labels: true,
      },
    },
    {
      file: '02-macos-zip-junk/finder.zip',
      flags: [],
      spec: { name: 'f', task: 'image_classification', format: 'image_folder_zip' },
    },
  ];
  const codes = (d: Pick<Dataset, 'status' | 'report'>) => ({
    status: d.status,
    errors: d.report?.errors.map((e) => `${e.code} ${e.where ?? ''}`),
    warnings: d.report?.warnings.map((e) => `${e.code} ${e.where ?? ''}`),
    examples: d.report?.stats?.examples,
    classes: d.report?.stats?.classes,
  });

  it.each(cases)(
    '$file: the same verdict, errors and warnings as the server',
    async ({ file, flags, spec }) => {
      const path = join(REALWORLD, file);
      const local = await cli('datasets', 'validate', path, ...flags, '--json');
      const server = await ty.datasets.createFromFile(spec, await fileFromPath(path));
      expect(local.code, local.stderr).toBe(server.status === 'ready' ? 0 : 1);
      expect(codes(JSON.parse(local.stdout))).toEqual(codes(server));
    },
    60_000,
  );

  it('prints the dialect, thousands separator included, and the splits a person needs', async () => {
    const loans = await cli(
      'datasets',
      'validate',
      join(REALWORLD, '10-csv-thousands-separators/loans.csv'),
      '--label-column',
      'approved',
    );
    expect(loans.code, loans.stderr).toBe(0);
    expect(loans.stdout).toContain('csv       delimiter ",", decimal ".", thousands ","');
    const splits = await cli(
      'datasets',
      'validate',
      join(REALWORLD, '05-split-folders/exported.zip'),
    );
    expect(splits.code, splits.stderr).toBe(0);
    expect(splits.stdout).toContain('splits    train 30, validation 12, test 0');
  }, 60_000);

  it('a folder of class folders is zipped and validated as an image dataset', async () => {
    const folder = join(dir, 'colours');
    for (const [name, colour] of [
      ['red', { r: 220, g: 20, b: 20 }],
      ['blue', { r: 20, g: 20, b: 220 }],
    ] as const) {
      await mkdir(join(folder, name), { recursive: true });
      for (let i = 0; i < 3; i++) {
        const png = await sharp({
          create: { width: 16 + i, height: 16, channels: 3, background: colour },
        })
          .png()
          .toBuffer();
        await writeFile(join(folder, name, `${i}.png`), png);
      }
    }
    const run = await cli('datasets', 'validate', folder, '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      format: 'image_folder_zip',
      status: 'ready',
      report: { stats: { examples: 6, classes: { red: 3, blue: 3 } } },
    });
  }, 60_000);
});
