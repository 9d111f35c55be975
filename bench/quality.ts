/**
 * `npm run bench:quality [-- --only iris,spam --seed 7]`: the platform's defaults against
 * scikit-learn baselines on the real data sets the project ships (packages/testing), on the same
 * held-out split. For each data set, 25% of the examples (stratified, seeded) are held out; the
 * rest is uploaded as a dataset and trained on by the trainer's own `runJob` with a job that gives
 * nothing but the dataset (every default), and the published model answers the held-out examples
 * through the inference code (`loadPredictor`). scikit-learn (Debian's python3-sklearn, installed
 * with apt-get when missing) trains its defaults on the same training examples
 * (bench/quality_sklearn.py). Prints both sides' scores and their ratio. Method: bench/README-quality.md.
 */
import { openScratchRuntime } from '@trainyard/local';
import { describeChoice, selectBackend, splitIndices } from '@trainyard/ml';
import { cars, digitPng, iris, makeZip, mnistDigits, spamAndHam, toCsv } from '@trainyard/testing';
import {
  type Case,
  classificationScores,
  findSklearnPython,
  regressionScores,
  sklearn,
  type Truth,
  trainyard,
} from './quality-sides';

const TEST_SHARE = 0.25;

/** Stratified (classification) or plain seeded held-out split: [train indices, test indices]. */
function holdOut(labels: Truth[], seed: number, stratified: boolean): [number[], number[]] {
  const names = [...new Set(labels.map(String))].sort();
  const ids = stratified ? labels.map((l) => names.indexOf(String(l))) : labels.map(() => 0);
  const { train, validation } = splitIndices(ids, TEST_SHARE, seed, stratified);
  return [train, validation];
}

function tableCase(
  name: string,
  task: 'tabular_classification' | 'tabular_regression',
  label: string,
  features: readonly string[],
  records: ReadonlyArray<Record<string, unknown>>,
  seed: number,
): Case {
  const truth = records.map((r) => r[label] as Truth);
  const [train, test] = holdOut(truth, seed, task === 'tabular_classification');
  const pick = (r: Record<string, unknown>) =>
    Object.fromEntries(features.map((f) => [f, r[f] ?? null]));
  return {
    name,
    create: { name, task, format: 'csv', label_column: label },
    file: toCsv(
      [...features, label],
      train.map((i) => [...features.map((f) => records[i]![f]), truth[i]]),
    ),
    testInputs: { form: 'json', inputs: test.map((i) => pick(records[i]!)) },
    testTruth: test.map((i) => truth[i]!),
    sklearn: {
      kind: 'table',
      task: task === 'tabular_regression' ? 'regression' : 'classification',
      train: { x: train.map((i) => pick(records[i]!)), y: train.map((i) => truth[i]!) },
      test: { x: test.map((i) => pick(records[i]!)) },
    },
  };
}

async function cases(seed: number): Promise<Record<string, () => Promise<Case>>> {
  const carFeatures = ['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration'];
  const spamCase = async (): Promise<Case> => {
    const messages = spamAndHam(300);
    const [train, test] = holdOut(
      messages.map((m) => m.label),
      seed,
      true,
    );
    return {
      name: 'spam',
      create: { name: 'spam', task: 'text_classification', format: 'jsonl' },
      file: train.map((i) => `${JSON.stringify(messages[i])}\n`).join(''),
      testInputs: { form: 'json', inputs: test.map((i) => messages[i]!.text) },
      testTruth: test.map((i) => messages[i]!.label),
      sklearn: {
        kind: 'text',
        task: 'classification',
        train: {
          x: train.map((i) => messages[i]!.text),
          y: train.map((i) => messages[i]!.label),
        },
        test: { x: test.map((i) => messages[i]!.text) },
      },
    };
  };
  return {
    iris: async () => {
      const { header, rows } = iris();
      const records = rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
      return tableCase(
        'iris',
        'tabular_classification',
        'species',
        header.slice(0, 4),
        records,
        seed,
      );
    },
    'cars-origin': async () =>
      tableCase(
        'cars-origin',
        'tabular_classification',
        'Origin',
        ['Miles_per_Gallon', ...carFeatures],
        cars() as unknown as Record<string, unknown>[],
        seed,
      ),
    'cars-mpg': async () =>
      tableCase(
        'cars-mpg',
        'tabular_regression',
        'Miles_per_Gallon',
        [...carFeatures, 'Origin'],
        cars().filter((c) => c.Miles_per_Gallon !== null) as unknown as Record<string, unknown>[],
        seed,
      ),
    spam: spamCase,
    // The same split, the bag of embeddings started from the built-in GloVe vectors (fine-tuned).
    'spam-glove': async () => ({
      ...(await spamCase()),
      name: 'spam-glove',
      request: { architecture: { embeddings: { base_model: 'bm_glove100d' } } },
    }),
    mnist: async () => {
      const digits = mnistDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 100);
      const pngs = await Promise.all(digits.map(digitPng));
      const [train, test] = holdOut(
        digits.map((d) => d.label),
        seed,
        true,
      );
      return {
        name: 'mnist',
        create: { name: 'mnist', task: 'image_classification', format: 'image_folder_zip' },
        file: makeZip(train.map((i) => ({ name: `${digits[i]!.label}/${i}.png`, data: pngs[i]! }))),
        testInputs: {
          form: 'images',
          images: test.map((i) => ({ bytes: pngs[i]!, param: 'image' })),
        },
        testTruth: test.map((i) => String(digits[i]!.label)),
        sklearn: {
          kind: 'image',
          task: 'classification',
          train: {
            x: train.map((i) => Array.from(digits[i]!.pixels)),
            y: train.map((i) => String(digits[i]!.label)),
          },
          test: { x: test.map((i) => Array.from(digits[i]!.pixels)) },
        },
      };
    },
  };
}

function args() {
  const argv = process.argv.slice(2);
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  return {
    only: value('--only')?.split(',') ?? null,
    seed: Number(value('--seed') ?? 7),
  };
}

async function main() {
  process.env.LOG_LEVEL ??= 'warn';
  const { only, seed } = args();
  const { python, note } = findSklearnPython();
  if (!python) throw new Error(note);
  if (note) console.log(note);

  const runtime = await openScratchRuntime('bench-quality', { bucket: 'ty-bench-quality' });
  const choice = await selectBackend({ preference: runtime.config.backend });
  console.log(`backend: ${describeChoice(choice)}; held-out share ${TEST_SHARE}, seed ${seed}`);

  const rows: string[] = [];
  try {
    for (const [name, make] of Object.entries(await cases(seed))) {
      if (only && !only.includes(name)) continue;
      const c = await make();
      const ours = await trainyard(runtime, choice.backend, c);
      const theirs = sklearn(python, c);
      console.log(
        `${name}: ${c.sklearn.train.y.length} train / ${c.testTruth.length} held out; trainyard ${ours.model} (${ours.seconds.toFixed(1)} s); scikit-learn ${theirs.version} ${theirs.model} (${theirs.seconds.toFixed(1)} s)`,
      );
      if (c.sklearn.task === 'regression') {
        const a = regressionScores(c.testTruth, ours.predictions);
        const b = regressionScores(c.testTruth, theirs.predictions);
        rows.push(
          `| ${name} | RMSE | ${a.rmse.toFixed(3)} | ${b.rmse.toFixed(3)} | ${(b.rmse / a.rmse).toFixed(2)} |`,
          `| ${name} | MAE | ${a.mae.toFixed(3)} | ${b.mae.toFixed(3)} | ${(b.mae / a.mae).toFixed(2)} |`,
        );
      } else {
        const a = classificationScores(c.testTruth, ours.predictions);
        const b = classificationScores(c.testTruth, theirs.predictions);
        rows.push(
          `| ${name} | accuracy | ${a.accuracy.toFixed(3)} | ${b.accuracy.toFixed(3)} | ${(a.accuracy / b.accuracy).toFixed(2)} |`,
          `| ${name} | macro F1 | ${a.macroF1.toFixed(3)} | ${b.macroF1.toFixed(3)} | ${(a.macroF1 / b.macroF1).toFixed(2)} |`,
        );
      }
    }
  } finally {
    await runtime.close();
  }
  console.log(
    '\nratio: ≥ 1 means the platform is at least as good (accuracy and F1: ours / sklearn;',
  );
  console.log('RMSE and MAE: sklearn / ours)\n');
  console.log('| data set | metric | trainyard defaults | scikit-learn | ratio |');
  console.log('| -------- | ------ | ------------------ | ------------ | ----- |');
  for (const row of rows) console.log(row);
}

await main();
process.exit(0);
