import { writeFile } from 'node:fs/promises';
import type { Cell, ClassScore, ModelSummary, PredictInput, RegressionValue } from '@trainyard/sdk';
import { fileFromPath } from '@trainyard/sdk/node';
import type { Command } from 'commander';
import type { Context } from '../context';
import { usage } from '../exit';
import { countOption, numberOption } from '../numbers';
import { cell, when } from '../output';

type Run = (command: Command, fn: (ctx: Context, ...args: never[]) => Promise<void>) => void;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The predict input from the command line: files, `--row` JSON objects, or `--text`s. */
async function predictInput(
  files: string[],
  rows: string[],
  texts: string[],
): Promise<PredictInput> {
  const kinds = [files.length, rows.length, texts.length].filter((n) => n > 0).length;
  if (kinds !== 1)
    throw usage(
      'Give image FILES, or --row JSON (repeatable), or --text TEXT (repeatable): one kind',
    );
  if (files.length) {
    const images = await Promise.all(
      files.map((f) =>
        fileFromPath(f).catch(() => {
          throw usage(`No such file: ${f}`);
        }),
      ),
    );
    return { images };
  }
  if (rows.length) {
    return {
      rows: rows.map((r) => {
        try {
          return JSON.parse(r) as Record<string, Cell>;
        } catch (error) {
          throw usage(`--row is not a JSON object: ${(error as Error).message}`);
        }
      }),
    };
  }
  return { texts };
}

export function registerModels(program: Command, run: Run): void {
  const models = program.command('models').description('The models jobs published');

  run(
    models
      .command('list')
      .description('List models, oldest first')
      .option('--limit <n>', 'at most this many', countOption),
    async (ctx, flags: { limit?: number }) => {
      const rows: ModelSummary[] = [];
      for await (const m of ctx
        .client()
        .models.list({ limit: Math.min(flags.limit ?? 100, 100) })) {
        rows.push(m);
        if (flags.limit && rows.length >= flags.limit) break;
      }
      ctx.out.table(rows, [
        { header: 'id', value: (m) => m.id },
        { header: 'name', value: (m) => m.name },
        { header: 'task', value: (m) => m.task },
        { header: 'job', value: (m) => m.job },
        { header: 'created', value: (m) => when(m.created_at) },
      ]);
    },
  );

  run(
    models
      .command('show')
      .description('A model’s card: task, labels, metrics, lineage')
      .argument('<id>'),
    async (ctx, id: string) => {
      const model = await ctx.client().models.get(id);
      const metrics = Object.entries((model.metrics ?? {}) as Record<string, unknown>).filter(
        ([, v]) => typeof v === 'number',
      );
      ctx.out.record(
        {
          id: model.id,
          name: model.name,
          task: model.task,
          job: model.job,
          dataset: model.dataset,
          base_model: model.base_model,
          created: when(model.created_at),
          metrics: metrics.map(([k, v]) => `${k} ${cell(v)}`).join(', ') || undefined,
        },
        model,
      );
    },
  );

  run(
    models
      .command('download')
      .description('Download a model as a zip: TensorFlow.js files, preprocess.json, card, metrics')
      .argument('<id>')
      .option('-o, --output <file>', 'where to write it (default <model id>.zip)'),
    async (ctx, id: string, flags: { output?: string }) => {
      const zip = await ctx.client().models.download(id);
      const file = flags.output ?? `${id}.zip`;
      await writeFile(file, new Uint8Array(await zip.arrayBuffer()));
      ctx.out.record({ model: id, file, bytes: zip.size });
    },
  );

  run(
    models.command('delete').description('Delete a model').argument('<id>'),
    async (ctx, id: string) => {
      const deleted = await ctx.client().models.delete(id);
      ctx.out.record({ deleted: id }, deleted);
    },
  );
}

export function registerPredict(program: Command, run: Run): void {
  run(
    program
      .command('predict')
      .description('Predictions from a model: image FILES, --row JSON or --text TEXT')
      .argument('<model>', 'model_…')
      .argument('[files...]', 'image files')
      .option('--row <json>', 'a tabular row as a JSON object (repeatable)', collect, [])
      .option('--text <text>', 'a text (repeatable)', collect, [])
      .option('--top-k <n>', 'classes per answer', countOption)
      .option(
        '--threshold <score>',
        'below it the label is null',
        numberOption({ min: 0, max: 1 }),
      ),
    async (
      ctx,
      model: string,
      files: string[],
      flags: { row: string[]; text: string[]; topK?: number; threshold?: number },
    ) => {
      const input = await predictInput(files, flags.row, flags.text);
      const answer = await ctx.client().predict(model, input, {
        ...(flags.topK !== undefined ? { top_k: flags.topK } : {}),
        ...(flags.threshold !== undefined ? { threshold: flags.threshold } : {}),
      });
      if (ctx.out.json) return ctx.out.data(answer);
      const labels = files.length ? files : flags.row.length ? flags.row : flags.text;
      answer.predictions.forEach((prediction, i) => {
        const shown = (prediction as Array<ClassScore | RegressionValue>)
          .map((p) =>
            'value' in p
              ? cell(p.value)
              : `${p.label ?? '(below threshold)'} ${p.score.toFixed(3)}`,
          )
          .join(', ');
        ctx.out.line(`${labels[i]}  →  ${shown}`);
      });
    },
  );
}

export function registerKeys(program: Command, run: Run): void {
  const keys = program.command('keys').description('API keys of your project (admin keys only)');
  run(
    keys
      .command('create')
      .description('Create a key of your project (needs an admin key); its secret is shown once')
      .requiredOption('--name <name>', 'what it is for')
      .option('--role <role>', 'admin, member or inference (default member)'),
    async (ctx, flags: { name: string; role?: string }) => {
      const key = await ctx.client().keys.create({
        name: flags.name,
        ...(flags.role ? { role: flags.role as 'admin' | 'member' | 'inference' } : {}),
      });
      ctx.out.record(
        { id: key.id, name: key.name, project: key.project, role: key.role, secret: key.secret },
        key,
      );
      ctx.out.note('The secret is shown this once; only its hash is kept.');
    },
  );
  run(keys.command('list').description('List keys'), async (ctx) => {
    const rows = await ctx.client().keys.list().toArray();
    ctx.out.table(rows, [
      { header: 'id', value: (k) => k.id },
      { header: 'name', value: (k) => k.name },
      { header: 'role', value: (k) => k.role },
      { header: 'last4', value: (k) => k.last4 },
      { header: 'created', value: (k) => when(k.created_at) },
      { header: 'revoked', value: (k) => when(k.revoked_at) },
    ]);
  });
  run(
    keys.command('revoke').description('Revoke a key').argument('<id>'),
    async (ctx, id: string) => {
      const key = await ctx.client().keys.revoke(id);
      ctx.out.record({ revoked: key.id, name: key.name }, key);
    },
  );
}
