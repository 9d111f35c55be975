/**
 * `npm run bench:tuning [-- --seeds 20]`: our `bayesian` (TPE) and `random` samplers against
 * Optuna's TPESampler on standard test functions, at equal trial budgets and over many seeds.
 * Prints, per function, the median best noiseless value each found and the ratio of our median
 * regret (best found − global minimum) to Optuna's. Method and caveats: bench/README-tuning.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '@trainyard/shared';
import {
  isBetter,
  RandomSampler,
  type Sampler,
  Study,
  type TestFunction,
  TpeSampler,
  testFunctions,
} from '@trainyard/tuning';
import { buildIrisTable, type RealTaskTable, tableFunction } from './tuning-real-task';

/** Trials per study, per function: enough for TPE to leave its 10 random start-up trials. */
const BUDGETS: Record<string, number> = {
  branin: 50,
  hartmann6: 100,
  noisy_branin: 50,
  iris_mlp: 20,
};

interface OptunaOutput {
  optuna_version: string;
  results: Record<string, number[]>;
}

/** The noiseless value of the trial that looked best, after `budget` trials. */
function bestFound(fn: TestFunction, sampler: Sampler, budget: number, seed: number): number {
  const study = new Study({ sampler, direction: 'minimize', maxTrials: budget });
  const noise = mulberry32(10_000 + seed);
  const truth = new Map<number, number>();
  for (let trial = study.ask(); trial; trial = study.ask()) {
    truth.set(trial.number, fn.value(trial.params));
    study.tell(trial.number, fn.observe(trial.params, noise));
  }
  return truth.get(study.bestTrial!.number)!;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** An interpreter that can import optuna, installing Debian's python3-optuna when none can. */
function findPython(): string {
  const candidates = ['python3', '/usr/bin/python3'];
  const works = (python: string) =>
    spawnSync(python, ['-c', 'import optuna'], { stdio: 'ignore' }).status === 0;
  for (const python of candidates) if (works(python)) return python;
  console.log('optuna is missing: installing python3-optuna with apt-get (Debian) …');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  for (const args of [['update'], ['install', '-y', 'python3-optuna']]) {
    const [command, ...rest] = [...sudo, 'apt-get', ...args];
    const result = spawnSync(command!, rest, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${result.status})`);
  }
  if (works('/usr/bin/python3')) return '/usr/bin/python3';
  throw new Error('python3-optuna was installed, but /usr/bin/python3 cannot import optuna');
}

/** Runs the Python side; it works while this process computes ours. */
function runOptuna(
  python: string,
  seeds: number[],
  functions: readonly TestFunction[],
  tables: RealTaskTable[],
): Promise<OptunaOutput> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'tuning_optuna.py');
  const child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const list = functions.map((fn) => ({ name: fn.name, budget: BUDGETS[fn.name]! }));
  child.stdin.end(JSON.stringify({ functions: list, seeds, tables }));
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${script} exited with ${code}`)),
    );
  });
}

function parseSeeds(argv: readonly string[]): number {
  const at = argv.indexOf('--seeds');
  const seeds = at >= 0 ? Number(argv[at + 1]) : 20;
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds expects a positive integer`);
  return seeds;
}

async function main(): Promise<void> {
  const seeds = Array.from({ length: parseSeeds(process.argv) }, (_, i) => i);
  const python = findPython();
  const started = performance.now();
  console.log(
    "training the iris MLP on every cell of the real task's grid (learning rate × dropout) …",
  );
  const table = await buildIrisTable();
  const functions = [...testFunctions, tableFunction(table)];
  const optuna = runOptuna(python, seeds, functions, [table]);

  const ours: Record<string, { bayesian: number[]; random: number[] }> = {};
  for (const fn of functions) {
    const budget = BUDGETS[fn.name]!;
    ours[fn.name] = {
      bayesian: seeds.map((seed) =>
        bestFound(fn, new TpeSampler(fn.space, { seed }), budget, seed),
      ),
      random: seeds.map((seed) =>
        bestFound(fn, new RandomSampler(fn.space, { seed }), budget, seed),
      ),
    };
  }
  const theirs = await optuna;
  const seconds = ((performance.now() - started) / 1000).toFixed(0);

  console.log(
    `tuning benchmark: ${seeds.length} seeds, Optuna ${theirs.optuna_version} TPESampler ` +
      `(defaults) via ${python}, ${seconds} s; lower is better (minimisation)\n`,
  );
  const rows = functions.map((fn) => {
    const regret = (values: number[]) => median(values.map((v) => v - fn.minimum));
    const { bayesian, random } = ours[fn.name]!;
    const optunaValues = theirs.results[fn.name]!;
    const wins = bayesian.filter((v, i) => !isBetter(optunaValues[i]!, v, 'minimize')).length;
    return {
      function: fn.name,
      budget: BUDGETS[fn.name],
      minimum: fn.minimum.toFixed(4),
      'bayesian best': median(bayesian).toFixed(4),
      'random best': median(random).toFixed(4),
      'optuna best': median(optunaValues).toFixed(4),
      'regret ratio bayesian/optuna': (regret(bayesian) / regret(optunaValues)).toFixed(2),
      'regret ratio random/optuna': (regret(random) / regret(optunaValues)).toFixed(2),
      'pairs bayesian ≤ optuna': `${wins}/${seeds.length}`,
    };
  });
  console.table(rows);
  console.log(
    'best = median over seeds of the noiseless value of the best-observed trial; ' +
      'regret ratio = our median regret / Optuna median regret (< 1: ours better).',
  );
  console.log(
    'iris_mlp: the real task, validation loss of the iris MLP after 15 epochs, looked up at the nearest of ' +
      `${table.logLrs.length}×${table.dropouts.length} trained grid cells (log10 lr ${table.logLrs[0]}…${table.logLrs.at(-1)}, dropout ${table.dropouts[0]}…${table.dropouts.at(-1)}).`,
  );
}

await main();
