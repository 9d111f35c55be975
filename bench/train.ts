/**
 * `npm run bench:train [-- --epochs 2 --cpu-seconds 20]`: trains the same small CNN (conv-bn-relu-
 * pool ×2, dropout, dense) on the same real MNIST digits, the same MLP on vega-datasets' cars and
 * the same LSTM text model on SpamAssassin ham/spam, each with TensorFlow.js on `wasm` (Trainyard's
 * embedded default, with its kernels from @trainyard/ml), on `cpu` (a short run) and with PyTorch on
 * the CPU, and prints samples/s, the ratio to PyTorch, and test accuracy for each. Method and
 * caveats: bench/README-train.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {
  adam,
  describeChoice,
  fusedDenseStep,
  fusedTrainStep,
  lstm,
  selectBackend,
} from '@trainyard/ml';
import { cars, spamAndHam } from '@trainyard/testing';
import { smallCnn } from './cnn-model';
import { measureImagePipeline } from './image-pipeline';

const BATCH = 64;
const TEST_SHARE = 0.15;

interface Args {
  epochs: number;
  mlpEpochs: number;
  lstmEpochs: number;
  cpuSeconds: number;
  threads: number;
  models: ModelKey[];
  /** Run the wasm children with `--experimental-wasm-relaxed-simd` (Node 20: FMA kernels). */
  relaxedSimd: boolean;
  /** Train the wasm runs through tfjs-layers' trainOnBatch, without the fused steps (comparison). */
  generic: boolean;
  /**
   * Models each side trains from different random initializations for the accuracy comparison
   * (the first is the timed one; default 5): one model's test accuracy on a 59-row split moves by
   * whole examples (1.7 points each) from one initialization to the next.
   */
  inits: number;
}

type ModelKey = 'cnn' | 'mlp' | 'lstm';
const MODELS: ModelKey[] = ['cnn', 'mlp', 'lstm'];

function parseArgs(argv: string[]): Args {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  return {
    epochs: value('epochs', 1),
    mlpEpochs: value('mlp-epochs', 100),
    lstmEpochs: value('lstm-epochs', 2),
    cpuSeconds: value('cpu-seconds', 20),
    threads: value('threads', os.availableParallelism()),
    models: argv.includes('--models')
      ? (argv[argv.indexOf('--models') + 1]!.split(',') as ModelKey[]).filter((m) =>
          MODELS.includes(m),
        )
      : MODELS,
    relaxedSimd: argv.includes('--relaxed-simd'),
    generic: argv.includes('--generic'),
    inits: Math.max(1, value('inits', 5)),
  };
}

interface Split {
  trainX: Float32Array | Int32Array;
  trainY: Uint8Array;
  testX: Float32Array | Int32Array;
  testY: Uint8Array;
}

/** One benchmark model with its data; bench/train_torch.py builds the same model (meta.json). */
interface Task extends Split {
  key: ModelKey;
  /** The shape of one sample, without the batch dimension. */
  shape: number[];
  dtype: 'float32' | 'int32';
  batch: number;
  epochs: number;
  build(): tf.LayersModel;
  /** Extra sizes for the Python side (vocabulary size, classes). */
  meta: Record<string, number>;
}

interface MnistDigit {
  length: number;
  get(index: number): number[];
}

/** Every digit of the `mnist` package: per class the first 85% train and the rest test, shuffled. */
function loadMnist(): Split {
  const mnist = createRequire(import.meta.url)('mnist') as MnistDigit[];
  const train: [number[], number][] = [];
  const test: [number[], number][] = [];
  for (let label = 0; label < 10; label++) {
    const digit = mnist[label]!;
    // The package's own length overstates by one; get(length) would return garbage.
    const count = digit.length - 1;
    const cut = Math.round(count * (1 - TEST_SHARE));
    for (let i = 0; i < count; i++) (i < cut ? train : test).push([digit.get(i), label]);
  }
  shuffle(train, 42);
  const pack = (rows: [number[], number][]) => {
    const x = new Float32Array(rows.length * 784);
    const y = new Uint8Array(rows.length);
    rows.forEach(([pixels, label], i) => {
      x.set(pixels, i * 784);
      y[i] = label;
    });
    return { x, y };
  };
  const a = pack(train);
  const b = pack(test);
  return { trainX: a.x, trainY: a.y, testX: b.x, testY: b.y };
}

function shuffle<T>(items: T[], seed: number): void {
  let s = seed;
  const random = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/** Per class the first 85% train and the rest test (rows already in a fixed order), train shuffled. */
function splitByClass<T>(
  rows: [T, number][],
  seed: number,
): { train: [T, number][]; test: [T, number][] } {
  const train: [T, number][] = [];
  const test: [T, number][] = [];
  const labels = [...new Set(rows.map((r) => r[1]))].sort((a, b) => a - b);
  for (const label of labels) {
    const of = rows.filter((r) => r[1] === label);
    const cut = Math.round(of.length * (1 - TEST_SHARE));
    for (const [i, r] of of.entries()) (i < cut ? train : test).push(r);
  }
  shuffle(train, seed);
  return { train, test };
}

const CAR_FEATURES = [
  'Miles_per_Gallon',
  'Cylinders',
  'Displacement',
  'Horsepower',
  'Weight_in_lbs',
  'Acceleration',
] as const;
const ORIGINS = ['USA', 'Europe', 'Japan'];

/**
 * vega-datasets' cars with all six measurements (392 of 406): Origin from the measurements,
 * standardized with the training split's mean and standard deviation.
 */
function loadCars(): Split {
  const rows: [number[], number][] = cars()
    .filter((c) => CAR_FEATURES.every((f) => typeof c[f] === 'number'))
    .map((c) => [CAR_FEATURES.map((f) => c[f] as number), ORIGINS.indexOf(c.Origin)]);
  const { train, test } = splitByClass(rows, 42);
  const d = CAR_FEATURES.length;
  const mean = Array.from(
    { length: d },
    (_, j) => train.reduce((s, r) => s + r[0][j]!, 0) / train.length,
  );
  const std = Array.from({ length: d }, (_, j) =>
    Math.sqrt(train.reduce((s, r) => s + (r[0][j]! - mean[j]!) ** 2, 0) / train.length),
  );
  const pack = (part: [number[], number][]) => {
    const x = new Float32Array(part.length * d);
    const y = new Uint8Array(part.length);
    part.forEach(([v, label], i) => {
      v.forEach((value, j) => {
        x[i * d + j] = (value - mean[j]!) / std[j]!;
      });
      y[i] = label;
    });
    return { x, y };
  };
  const a = pack(train);
  const b = pack(test);
  return { trainX: a.x, trainY: a.y, testX: b.x, testY: b.y };
}

const SPAM_PER_CLASS = 500; // spam-1 holds 500 messages
const SEQ_LEN = 64;
const MAX_VOCAB = 10_000;

/** The words of a message's body (after the headers), lower-cased. */
function words(text: string): string[] {
  const blank = text.search(/\r?\n\r?\n/);
  const body = blank >= 0 ? text.slice(blank) : text;
  return body.toLowerCase().match(/[a-z0-9']+/g) ?? [];
}

/**
 * SpamAssassin: the first 500 messages of `spam-1` and of `easy-ham-1`; per class 85% train. A
 * vocabulary of the training texts' words seen at least twice (most frequent first, at most 10,000;
 * 0 pads, 1 is any other word); each message its first 64 body words, pre-padded with 0.
 */
function loadSpam(): Split & { vocab: number } {
  const rows: [string[], number][] = spamAndHam(SPAM_PER_CLASS).map((m) => [
    words(m.text),
    m.label === 'spam' ? 1 : 0,
  ]);
  const { train, test } = splitByClass(rows, 42);
  const counts = new Map<string, number>();
  for (const [ws] of train) for (const w of ws) counts.set(w, (counts.get(w) ?? 0) + 1);
  const ranked = [...counts]
    .filter(([, c]) => c >= 2)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_VOCAB - 2);
  const ids = new Map(ranked.map(([w], i) => [w, i + 2]));
  const pack = (part: [string[], number][]) => {
    const x = new Int32Array(part.length * SEQ_LEN);
    const y = new Uint8Array(part.length);
    part.forEach(([ws, label], i) => {
      const seq = ws.slice(0, SEQ_LEN).map((w) => ids.get(w) ?? 1);
      x.set(seq, i * SEQ_LEN + SEQ_LEN - seq.length);
      y[i] = label;
    });
    return { x, y };
  };
  const a = pack(train);
  const b = pack(test);
  return { trainX: a.x, trainY: a.y, testX: b.x, testY: b.y, vocab: ranked.length + 2 };
}

/** Dense 64-32 ReLU, softmax over the 3 origins; bench/train_torch.py builds the same one. */
function mlp(inputs: number, classes: number): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [inputs], units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 32, activation: 'relu' }),
      tf.layers.dense({ units: classes, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

/**
 * Embedding(vocab, 32) → LSTM(32) (sigmoid gates, as PyTorch's) → dense 2 softmax; bench/
 * train_torch.py builds the same one.
 */
function lstmText(vocab: number): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: vocab, outputDim: 32, inputLength: SEQ_LEN }),
      lstm({ units: 32, recurrentActivation: 'sigmoid' }),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

function loadTask(key: ModelKey, args: Args): Task {
  if (key === 'mlp') {
    const data = loadCars();
    return {
      ...data,
      key,
      shape: [CAR_FEATURES.length],
      dtype: 'float32',
      batch: 32,
      epochs: args.mlpEpochs,
      build: () => mlp(CAR_FEATURES.length, ORIGINS.length),
      meta: { features: CAR_FEATURES.length, classes: ORIGINS.length },
    };
  }
  if (key === 'lstm') {
    const data = loadSpam();
    return {
      ...data,
      key,
      shape: [SEQ_LEN],
      dtype: 'int32',
      batch: 32,
      epochs: args.lstmEpochs,
      build: () => lstmText(data.vocab),
      meta: { vocab: data.vocab, seq_len: SEQ_LEN },
    };
  }
  return {
    ...loadMnist(),
    key,
    shape: [28, 28, 1],
    dtype: 'float32',
    batch: BATCH,
    epochs: args.epochs,
    build: smallCnn,
    meta: {},
  };
}

interface Result {
  samplesPerSecond: number;
  accuracy: number;
  seconds: number;
  samples: number;
  /** CPU time of the whole process (every thread) over the timed loop, in seconds. */
  cpuSeconds?: number;
  /** Threads the run was given. */
  threads?: number;
  /** The same engine's 1-thread run (set on the faster run of several). */
  oneThread?: Result;
  /** Test accuracy of each initialization's model (`--inits`), the timed one first. */
  accuracies?: number[];
  note?: string;
}

/**
 * Trains on the current backend: one warm-up batch (not timed: kernels, XNNPACK operators), then
 * shuffled batches for `epochs` epochs or until `maxSeconds` have passed. Accuracy on the test split.
 */
async function trainTfjs(
  data: Task,
  epochs: number,
  maxSeconds = Number.POSITIVE_INFINITY,
  generic = false,
): Promise<Result> {
  const batchSize = data.batch;
  const model = data.build();
  const n = data.trainY.length;
  const x = tf.tensor(data.trainX, [n, ...data.shape], data.dtype);
  const y = tf.tensor1d(data.trainY, 'float32');
  const batch = (idx: Int32Array) => {
    const i = tf.tensor1d(idx, 'int32');
    const out = [tf.gather(x, i), tf.gather(y, i)] as const;
    i.dispose();
    return out;
  };
  // As Trainyard's trainer does: a dense chain on wasm trains as one wasm call a step, the CNN as
  // one fused kernel a step (the labels are class ids here); anything else (and everything with
  // --generic) through tfjs-layers' trainOnBatch.
  const fused = generic ? null : fusedTrainStep(model, model.optimizer);
  const fusedName = !fused
    ? ''
    : fusedDenseStep(model, model.optimizer)
      ? 'fused dense step, '
      : 'fused sequential step, ';
  const trainStep = async (bx: tf.Tensor, by: tf.Tensor) =>
    fused ? fused(bx, by).loss : await model.trainOnBatch(bx, by);
  const [wx, wy] = batch(Int32Array.from({ length: batchSize }, (_, i) => i));
  await trainStep(wx, wy);
  tf.dispose([wx, wy]);
  const order = Array.from({ length: n }, (_, i) => i);
  let samples = 0;
  let dataMs = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  outer: for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(order, 1 + epoch);
    for (let i = 0; i < n; i += batchSize) {
      const t = performance.now();
      const [bx, by] = batch(Int32Array.from(order.slice(i, i + batchSize)));
      dataMs += performance.now() - t;
      await trainStep(bx, by); // returns the loss as a number: the step has finished
      tf.dispose([bx, by]);
      samples += by.shape[0];
      if ((performance.now() - start) / 1000 > maxSeconds) break outer;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const cpuUsed = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;
  const accuracy = tf.tidy(() => {
    const testX = tf.tensor(data.testX, [data.testY.length, ...data.shape], data.dtype);
    const predicted = (model.predict(testX, { batchSize: 500 }) as tf.Tensor).argMax(-1);
    return predicted.equal(tf.tensor1d(data.testY, 'int32')).mean().dataSync()[0]!;
  });
  tf.dispose([x, y]);
  model.dispose();
  const dataShare = `${fusedName}batch slicing ${((100 * dataMs) / (seconds * 1000)).toFixed(1)}% of the time`;
  return {
    samplesPerSecond: samples / seconds,
    accuracy,
    seconds,
    samples,
    cpuSeconds,
    note: dataShare,
  };
}

/** An interpreter that can import torch; installs Debian's python3-torch (as root) when none can. */
function findTorchPython(): { python?: string; note: string } {
  const candidates = ['/usr/bin/python3', 'python3'];
  const works = (python: string) =>
    spawnSync(python, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
  const found = candidates.find(works);
  if (found) return { python: found, note: '' };
  if (process.getuid?.() !== 0)
    return { note: 'python3-torch is not installed (run as root to let the bench install it)' };
  console.log('python3-torch is missing: installing it with apt-get (Debian) …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', 'python3-torch', 'python3-numpy'], {
    stdio: 'inherit',
    env,
  });
  const after = candidates.find(works);
  return after
    ? { python: after, note: 'installed python3-torch with apt-get' }
    : { note: 'apt-get could not install python3-torch' };
}

/** Writes the split as raw files for train_torch.py, which reads them with numpy. */
function writeSplit(data: Task): string {
  const folder = mkdtempSync(join(os.tmpdir(), 'trainyard-bench-'));
  const write = (name: string, array: Float32Array | Int32Array | Uint8Array) =>
    writeFileSync(
      join(folder, name),
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength),
    );
  const ext = data.dtype === 'int32' ? 'i32' : 'f32';
  write(`train_x.${ext}`, data.trainX);
  write('train_y.u8', data.trainY);
  write(`test_x.${ext}`, data.testX);
  write('test_y.u8', data.testY);
  writeFileSync(
    join(folder, 'meta.json'),
    JSON.stringify({
      train: data.trainY.length,
      test: data.testY.length,
      model: data.key,
      shape: data.shape,
      ...data.meta,
    }),
  );
  return folder;
}

/**
 * PyTorch on 1 thread and on every core, reporting the faster as the reference: on a busy 2-core
 * machine PyTorch's OpenMP threads can lose more to contention than they gain, and the goal is
 * measured against PyTorch at its best, not at a handicap.
 */
function trainTorch(
  data: Task,
  epochs: number,
  threads: number,
  inits: number,
): Result | { error: string } {
  const { python, note } = findTorchPython();
  if (!python) return { error: note };
  const folder = writeSplit(data);
  try {
    const script = join(dirname(fileURLToPath(import.meta.url)), 'train_torch.py');
    const runs: Result[] = [];
    for (const t of [...new Set([1, threads])]) {
      const run = spawnSync(
        python,
        [script, folder, String(epochs), String(data.batch), String(t), String(inits)],
        {
          encoding: 'utf8',
        },
      );
      if (run.status !== 0)
        return { error: `train_torch.py failed: ${run.stderr.trim().split('\n').at(-1)}` };
      const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
        samples_per_s: number;
        accuracy: number;
        accuracies: number[];
        seconds: number;
        cpu_seconds: number;
        threads: number;
        torch: string;
      };
      runs.push({
        samplesPerSecond: out.samples_per_s,
        accuracy: out.accuracy,
        accuracies: out.accuracies,
        seconds: out.seconds,
        samples: epochs * data.trainY.length,
        cpuSeconds: out.cpu_seconds,
        threads: t,
        note: `torch ${out.torch}, ${out.threads} thread${out.threads === 1 ? '' : 's'}`,
      });
    }
    const best = runs.reduce((a, b) => (b.samplesPerSecond > a.samplesPerSecond ? b : a));
    const others = runs
      .filter((r) => r !== best)
      .map((r) => `${r.note!.split(', ')[1]}: ${r.samplesPerSecond.toFixed(0)}/s`);
    const extra = [...others, ...(note ? [note] : [])];
    return {
      ...best,
      oneThread: runs.find((r) => r.threads === 1),
      note: `${best.note} (best of ${runs.length}${extra.length ? `; ${extra.join('; ')}` : ''})`,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * One tfjs engine in this process, printed as one JSON line: the wasm backend starts once per
 * process with a fixed thread count, so each configuration runs in a child of its own.
 */
async function child(engine: string, key: ModelKey, args: Args): Promise<void> {
  const data = loadTask(key, args);
  let result: Result;
  if (engine === 'wasm') {
    const choice = await selectBackend({ preference: 'wasm', wasm: { threads: args.threads } });
    const trained = await trainTfjs(data, data.epochs, Number.POSITIVE_INFINITY, args.generic);
    // Each further model starts from the initializers' next random draw (not timed here).
    const accuracies = [trained.accuracy];
    for (let i = 1; i < args.inits; i++) {
      accuracies.push(
        (await trainTfjs(data, data.epochs, Number.POSITIVE_INFINITY, args.generic)).accuracy,
      );
    }
    const pipeline = key === 'cnn' ? `; ${await pipelineNote(data, trained)}` : '';
    result = {
      ...trained,
      accuracies,
      threads: args.threads,
      note: `${describeChoice(choice)}, ${trained.note}${pipeline}`,
    };
  } else {
    await selectBackend({ preference: 'cpu' });
    // The CNN's cpu run is one epoch at most; the small models' runs all their epochs at most.
    result = await trainTfjs(data, key === 'cnn' ? 1 : data.epochs, args.cpuSeconds);
  }
  console.log(`RESULT ${JSON.stringify(result)}`);
}

/**
 * What an augmented image job's data pipeline would add to each of these steps: normalizing a
 * batch of decoded bytes and augmenting it (every augmentation on); decoding is once per job.
 */
async function pipelineNote(data: Task, trained: Result): Promise<string> {
  const cost = await measureImagePipeline(data.trainX as Float32Array, data.batch);
  const stepMs = (1000 * data.batch) / trained.samplesPerSecond;
  const perBatch = cost.normalizeMsPerBatch + cost.augmentMsPerBatch;
  const share = (100 * perBatch) / (perBatch + stepMs);
  return (
    `image pipeline per batch: normalize ${cost.normalizeMsPerBatch.toFixed(1)} ms + augment ` +
    `${cost.augmentMsPerBatch.toFixed(1)} ms = ${share.toFixed(0)}% of an augmented step ` +
    `(${stepMs.toFixed(1)} ms training); sharp decode ${cost.decodeMsPerImage.toFixed(2)} ms/image, once per job`
  );
}

function runChild(
  engine: string,
  args: Args,
  threads: number,
  key: ModelKey = 'cnn',
): Result | { error: string } {
  const script = fileURLToPath(import.meta.url);
  const argv = ['--import', 'tsx', script, '--child', engine, '--threads', String(threads)];
  // Node 20 has relaxed SIMD only behind this V8 flag (Node 22 has it on): an opt-in comparison.
  if (args.relaxedSimd && engine === 'wasm') argv.unshift('--experimental-wasm-relaxed-simd');
  argv.push('--epochs', String(args.epochs), '--cpu-seconds', String(args.cpuSeconds));
  argv.push('--mlp-epochs', String(args.mlpEpochs), '--lstm-epochs', String(args.lstmEpochs));
  argv.push('--model', key, '--inits', String(args.inits));
  if (args.generic) argv.push('--generic');
  const run = spawnSync(process.execPath, argv, { encoding: 'utf8' });
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (run.status !== 0 || !line)
    return { error: `${engine} run failed: ${run.stderr.trim().split('\n').at(-1)}` };
  return JSON.parse(line.slice('RESULT '.length)) as Result;
}

/** The faster of several runs of one engine, the others named in its note. */
function best(runs: (Result | { error: string })[]): Result | { error: string } {
  const ok = runs.filter((r): r is Result => 'samplesPerSecond' in r);
  if (ok.length === 0) return runs[0]!;
  const top = ok.reduce((a, b) => (b.samplesPerSecond > a.samplesPerSecond ? b : a));
  const others = ok
    .filter((r) => r !== top)
    .map((r) => `${r.note}: ${r.samplesPerSecond.toFixed(0)}/s`);
  return {
    ...top,
    oneThread: ok.find((r) => r.threads === 1),
    note: [top.note, ...others.map((o) => `other run: ${o}`)].join('; '),
  };
}

function printTable(
  rows: [string, Result | { error: string }][],
  torchRate: number | undefined,
): void {
  console.log('');
  console.log(
    `${'engine'.padEnd(22)}${'samples/s'.padStart(11)}${'× PyTorch'.padStart(11)}${'test acc'.padStart(10)}${'samples'.padStart(9)}  notes`,
  );
  for (const [name, r] of rows) {
    if ('error' in r) {
      console.log(
        `${name.padEnd(22)}${'-'.padStart(11)}${'-'.padStart(11)}${'-'.padStart(10)}${'-'.padStart(9)}  ${r.error}`,
      );
      continue;
    }
    const ratio = torchRate ? (r.samplesPerSecond / torchRate).toFixed(3) : '-';
    console.log(
      `${name.padEnd(22)}${r.samplesPerSecond.toFixed(0).padStart(11)}${ratio.padStart(11)}` +
        `${(100 * r.accuracy).toFixed(1).concat('%').padStart(10)}${String(r.samples).padStart(9)}  ${r.note ?? ''}`,
    );
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  const childEngine = argv.includes('--child') ? argv[argv.indexOf('--child') + 1] : undefined;
  const childModel = (
    argv.includes('--model') ? argv[argv.indexOf('--model') + 1] : 'cnn'
  ) as ModelKey;
  if (childEngine) return child(childEngine, childModel, args);
  const summaries: string[] = [];
  if (args.models.includes('cnn')) summaries.push(summary('CNN', benchCnn(args)));
  if (args.models.includes('mlp')) summaries.push(summary('MLP', benchSmall('mlp', args)));
  if (args.models.includes('lstm')) summaries.push(summary('LSTM', benchSmall('lstm', args)));
  console.log(`\n${summaries.join('\n')}`);
  console.log(
    `\nload average at the end ${os.loadavg()[0]!.toFixed(1)} (other processes slow every engine)`,
  );
}

type Outcome = Result | { error: string };

/**
 * One line per model: tfjs wasm's samples/s over PyTorch's (each at its faster thread count) and
 * the test accuracy gap in points (positive: tfjs wasm is more accurate).
 */
function summary(model: string, [wasm, torch]: [Outcome, Outcome]): string {
  if ('error' in wasm || 'error' in torch) {
    return `${model}: no ratio (${'error' in wasm ? wasm.error : (torch as { error: string }).error})`;
  }
  const ratio = wasm.samplesPerSecond / torch.samplesPerSecond;
  const mean = (r: Result) => {
    const all = r.accuracies ?? [r.accuracy];
    return all.reduce((a, b) => a + b, 0) / all.length;
  };
  const inits = Math.min(wasm.accuracies?.length ?? 1, torch.accuracies?.length ?? 1);
  const gap = 100 * (mean(wasm) - mean(torch));
  const over = inits > 1 ? `mean test accuracy of ${inits} initializations` : 'test accuracy';
  const single =
    inits > 1
      ? `; the timed models ${(100 * wasm.accuracy).toFixed(1)}% vs ${(100 * torch.accuracy).toFixed(1)}%`
      : '';
  return (
    `${model}: tfjs wasm ${ratio.toFixed(2)}× PyTorch CPU's samples/s, ${over} ` +
    `${(100 * mean(wasm)).toFixed(1)}% vs ${(100 * mean(torch)).toFixed(1)}% ` +
    `(${gap >= 0 ? '+' : ''}${gap.toFixed(1)} points${single})${perCpuSecond(wasm, torch)}`
  );
}

/**
 * Samples per CPU-second of the two 1-thread runs, which other processes on the machine disturb
 * far less than wall time (they take turns on the cores rather than adding to a run's CPU time).
 */
function perCpuSecond(wasm: Result, torch: Result): string {
  const rate = (r: Result | undefined) => (r?.cpuSeconds ? r.samples / r.cpuSeconds : Number.NaN);
  const ours = rate(wasm.oneThread);
  const theirs = rate(torch.oneThread);
  if (!Number.isFinite(ours) || !Number.isFinite(theirs)) return '';
  return (
    `; on 1 thread per CPU-second ${(ours / theirs).toFixed(2)}× ` +
    `(${ours.toFixed(0)} vs ${theirs.toFixed(0)} samples/CPU-s)`
  );
}

/** The CNN on MNIST, printed as before the MLP and LSTM joined; returns wasm's and PyTorch's runs. */
function benchCnn(args: Args): [Outcome, Outcome] {
  const data = loadTask('cnn', args);
  console.log(
    `MNIST from the mnist package: ${data.trainY.length} train / ${data.testY.length} test digits; ` +
      `small CNN, batch ${BATCH}, Adam 1e-3, ${args.epochs} epoch(s); ${os.availableParallelism()} cores, ` +
      `load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  // Like PyTorch below, wasm runs on 1 thread and on every core, and the faster counts.
  const threadCounts = [...new Set([1, args.threads])];
  const wasm = best(threadCounts.map((t) => runChild('wasm', args, t)));
  const cpu = runChild('cpu', args, 1);
  const torch = trainTorch(data, args.epochs, args.threads, args.inits);
  const torchRate = 'samplesPerSecond' in torch ? torch.samplesPerSecond : undefined;
  printTable(
    [
      ['tfjs wasm', wasm],
      [`tfjs cpu (≤${args.cpuSeconds} s)`, cpu],
      ['PyTorch CPU', torch],
    ],
    torchRate,
  );
  return [wasm, torch];
}

/**
 * The MLP on cars or the LSTM on SpamAssassin: the same three engines, a table of its own;
 * returns wasm's and PyTorch's runs.
 */
function benchSmall(key: 'mlp' | 'lstm', args: Args): [Outcome, Outcome] {
  const data = loadTask(key, args);
  const what =
    key === 'mlp'
      ? `MLP (dense 64-32 ReLU, softmax 3) on vega-datasets cars, Origin from 6 standardized measurements`
      : `LSTM text model (embedding ${data.meta.vocab}×32, LSTM 32, softmax 2) on SpamAssassin ham/spam, ${SEQ_LEN} words`;
  console.log(
    `\n${what}: ${data.trainY.length} train / ${data.testY.length} test; batch ${data.batch}, ` +
      `Adam 1e-3, ${data.epochs} epoch(s); load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  const threadCounts = [...new Set([1, args.threads])];
  const wasm = best(threadCounts.map((t) => runChild('wasm', args, t, key)));
  // The cpu backend's LSTM took minutes for its untimed warm-up batch alone: opt in with --lstm-cpu.
  const cpu =
    key === 'lstm' && !process.argv.includes('--lstm-cpu')
      ? { error: 'skipped (minutes per batch on cpu; --lstm-cpu runs it)' }
      : runChild('cpu', args, 1, key);
  const torch = trainTorch(data, data.epochs, args.threads, args.inits);
  const torchRate = 'samplesPerSecond' in torch ? torch.samplesPerSecond : undefined;
  printTable(
    [
      ['tfjs wasm', wasm],
      [`tfjs cpu (≤${args.cpuSeconds} s)`, cpu],
      ['PyTorch CPU', torch],
    ],
    torchRate,
  );
  return [wasm, torch];
}

await main();
