/**
 * `npm run bench:quality [-- --only iris,spam --seeds 1,2,3,4,5 --request '{…}']`: the platform's
 * defaults against scikit-learn baselines on the real data sets the project ships
 * (packages/testing), on the same held-out split. For each data set and seed, 25% of the examples
 * (stratified, seeded) are held out; the rest is uploaded as a dataset and trained on by the
 * trainer's own `runJob` with a job that gives nothing but the dataset and the seed (every other
 * default; `--request` merges fields in), and the published model answers the held-out examples
 * through the inference code (`loadPredictor`). scikit-learn (Debian's python3-sklearn, installed
 * with apt-get when missing) trains its defaults on the same training examples
 * (bench/quality_sklearn.py). Prints each seed's scores, then per data set the mean and range over
 * seeds of both sides, their ratio, and the seeds won/tied/lost. Method: bench/README-quality.md.
 */
import { openScratchRuntime } from '@trainyard/local';
import { describeChoice, selectBackend, splitIndices } from '@trainyard/ml';
import { type CreateJob, mulberry32 } from '@trainyard/shared';
import {
  cars,
  digitPng,
  iris,
  makeZip,
  mnistDigits,
  sotuPassages,
  spamAndHam,
  toCsv,
} from '@trainyard/testing';
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

/** Text architectures other than the default, run on spam only when `--only` names them. */
const TEXT_ARCHITECTURES = ['gru', 'lstm', 'attention', 'rnn'] as const;
/** Cases a run without `--only` leaves out (slow, and not defaults). */
const OPT_IN = new Set([
  ...TEXT_ARCHITECTURES.map((t) => `spam-${t}`),
  ...TEXT_ARCHITECTURES.map((t) => `sotu-${t}`),
  'cars-origin-1in2',
  'cars-origin-1in3',
]);

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

/**
 * A text case and its variants on the same split: `<name>-glove`, the bag of embeddings started
 * from the built-in GloVe vectors (fine-tuned); and `<name>-<type>` for each other text
 * architecture (opt-in: `--only spam-gru,…`), which issue 14 asks to be within 5 points of TF-IDF
 * + logistic regression.
 */
function textCases(name: string, make: () => Promise<Case>): Record<string, () => Promise<Case>> {
  const variant = (suffix: string, request: Case['request']) => async (): Promise<Case> => ({
    ...(await make()),
    name: `${name}-${suffix}`,
    request,
  });
  return {
    [name]: make,
    [`${name}-glove`]: variant('glove', {
      architecture: { embeddings: { base_model: 'bm_glove100d' } },
    }),
    ...Object.fromEntries(
      TEXT_ARCHITECTURES.map((type) => [
        `${name}-${type}`,
        variant(type, { architecture: { type } }),
      ]),
    ),
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
  /**
   * State of the Union passages → period (four classes): a quarter of the addresses held out
   * (seeded), 1,000 passages of the others to train on and 500 of the held-out ones to score.
   */
  const sotuCase = async (): Promise<Case> => {
    const passages = sotuPassages();
    const addresses = [...new Set(passages.map((p) => p.address))];
    const { validation } = splitIndices(
      addresses.map(() => 0),
      TEST_SHARE,
      seed,
      false,
    );
    const heldOut = new Set(validation.map((i) => addresses[i]));
    const random = mulberry32(seed);
    const shuffled = passages
      .map((p) => ({ p, key: random() }))
      .sort((a, b) => a.key - b.key)
      .map(({ p }) => ({ text: p.text, label: p.label, heldOut: heldOut.has(p.address) }));
    const train = shuffled.filter((p) => !p.heldOut).slice(0, 1000);
    const test = shuffled.filter((p) => p.heldOut).slice(0, 500);
    return {
      name: 'sotu',
      create: { name: 'sotu', task: 'text_classification', format: 'jsonl' },
      file: train.map(({ text, label }) => `${JSON.stringify({ text, label })}\n`).join(''),
      testInputs: { form: 'json', inputs: test.map((p) => p.text) },
      testTruth: test.map((p) => p.label),
      sklearn: {
        kind: 'text',
        task: 'classification',
        train: { x: train.map((p) => p.text), y: train.map((p) => p.label) },
        test: { x: test.map((p) => p.text) },
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
    // cars-origin with only every `keep`-th European and Japanese car (opt-in): how class weights
    // fare as the imbalance grows (USA 254 : Europe 73 : Japan 79 in the full set).
    ...Object.fromEntries(
      ([2, 3] as const).map((keep) => [
        `cars-origin-1in${keep}`,
        async () => {
          const seen = new Map<string, number>();
          const kept = cars().filter((c) => {
            const k = (seen.get(c.Origin) ?? 0) + 1;
            seen.set(c.Origin, k);
            return c.Origin === 'USA' || k % keep === 0;
          });
          return tableCase(
            `cars-origin-1in${keep}`,
            'tabular_classification',
            'Origin',
            ['Miles_per_Gallon', ...carFeatures],
            kept as unknown as Record<string, unknown>[],
            seed,
          );
        },
      ]),
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
    ...textCases('spam', spamCase),
    ...textCases('sotu', sotuCase),
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
  const seeds = (value('--seeds') ?? value('--seed') ?? '1,2,3,4,5').split(',').map(Number);
  if (seeds.some((s) => !Number.isInteger(s)))
    throw new Error(`--seeds: expected integers like 1,2,3; received ${value('--seeds')}`);
  return {
    only: value('--only')?.split(',') ?? null,
    seeds,
    request: JSON.parse(value('--request') ?? '{}') as Omit<CreateJob, 'dataset'>,
  };
}

/** Per metric of one data set: each seed's score, ours and scikit-learn's. */
interface Scores {
  readonly metric: string;
  /** True when lower is better (RMSE, MAE). */
  readonly lower: boolean;
  readonly ours: number[];
  readonly theirs: number[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const range = (xs: number[]) =>
  xs.length > 1 ? ` (${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)})` : '';

async function main() {
  process.env.LOG_LEVEL ??= 'warn';
  const { only, seeds, request } = args();
  const { python, note } = findSklearnPython();
  if (!python) throw new Error(note);
  if (note) console.log(note);

  const runtime = await openScratchRuntime('bench-quality', { bucket: 'ty-bench-quality' });
  const choice = await selectBackend({ preference: runtime.config.backend });
  console.log(
    `backend: ${describeChoice(choice)}; held-out share ${TEST_SHARE}; seeds ${seeds.join(',')} (each seed: the held-out split and the job's seed)${Object.keys(request).length ? `; request ${JSON.stringify(request)}` : ''}`,
  );

  const table = new Map<string, Scores[]>();
  const seconds = new Map<string, number[]>();
  try {
    for (const seed of seeds) {
      for (const [name, make] of Object.entries(await cases(seed))) {
        if (only ? !only.includes(name) : OPT_IN.has(name)) continue;
        const c = await make();
        const ours = await trainyard(runtime, choice.backend, c, seed, request);
        const theirs = sklearn(python, c);
        console.log(
          `${name} seed ${seed}: ${c.sklearn.train.y.length} train / ${c.testTruth.length} held out; trainyard ${ours.model} (${ours.seconds.toFixed(1)} s); scikit-learn ${theirs.version} ${theirs.model} (${theirs.seconds.toFixed(1)} s)`,
        );
        const scores =
          c.sklearn.task === 'regression'
            ? (() => {
                const a = regressionScores(c.testTruth, ours.predictions);
                const b = regressionScores(c.testTruth, theirs.predictions);
                return [
                  { metric: 'RMSE', lower: true, a: a.rmse, b: b.rmse },
                  { metric: 'MAE', lower: true, a: a.mae, b: b.mae },
                ];
              })()
            : (() => {
                const a = classificationScores(c.testTruth, ours.predictions);
                const b = classificationScores(c.testTruth, theirs.predictions);
                return [
                  { metric: 'accuracy', lower: false, a: a.accuracy, b: b.accuracy },
                  { metric: 'macro F1', lower: false, a: a.macroF1, b: b.macroF1 },
                ];
              })();
        console.log(
          `  ${scores.map((s) => `${s.metric} ${s.a.toFixed(3)} vs ${s.b.toFixed(3)}`).join('; ')}`,
        );
        if (!table.has(name))
          table.set(
            name,
            scores.map((s) => ({ metric: s.metric, lower: s.lower, ours: [], theirs: [] })),
          );
        for (const [k, s] of scores.entries()) {
          table.get(name)![k]!.ours.push(s.a);
          table.get(name)![k]!.theirs.push(s.b);
        }
        seconds.set(name, [...(seconds.get(name) ?? []), ours.seconds]);
      }
    }
  } finally {
    await runtime.close();
  }
  console.log(
    `\nmean over seeds ${seeds.join(',')} (min–max); ratio of the means: ≥ 1 means the platform is at least`,
  );
  console.log('as good (accuracy and F1: ours / sklearn; RMSE and MAE: sklearn / ours)\n');
  console.log(
    '| data set | metric | trainyard defaults | scikit-learn | ratio | seeds won / tied / lost | trainyard s (mean) |',
  );
  console.log(
    '| -------- | ------ | ------------------ | ------------ | ----- | ----------------------- | ------------------ |',
  );
  for (const [name, metrics] of table) {
    for (const m of metrics) {
      const a = mean(m.ours);
      const b = mean(m.theirs);
      const ratio = m.lower ? b / a : a / b;
      let won = 0;
      let tied = 0;
      for (const [k, x] of m.ours.entries()) {
        const y = m.theirs[k]!;
        if (Math.abs(x - y) < 1e-9) tied++;
        else if (m.lower ? x < y : x > y) won++;
      }
      console.log(
        `| ${name} | ${m.metric} | ${a.toFixed(3)}${range(m.ours)} | ${b.toFixed(3)}${range(m.theirs)} | ${ratio.toFixed(2)} | ${won} / ${tied} / ${m.ours.length - won - tied} | ${mean(seconds.get(name)!).toFixed(1)} |`,
      );
    }
  }
}

await main();
process.exit(0);
