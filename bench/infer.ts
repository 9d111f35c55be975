/**
 * `npm run bench:infer [-- --seconds 5 --concurrency 1,2,4,8,16,32]`: trains a small CNN on real
 * MNIST digits and an MLP on iris with the real trainer, starts the inference function as its own
 * process on a free port, and drives `POST /v1/models/{id}/predict` with autocannon at several
 * concurrencies. Prints p50/p99 latency, requests/s, the cold load of a model from S3, and the
 * ratio of HTTP time to the same prediction in this process. Method and caveats:
 * bench/README-infer.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { openScratchRuntime } from '@trainyard/local';
import { describeChoice, loadPredictor, selectBackend } from '@trainyard/ml';
import type { PredictInputs } from '@trainyard/predict';
import { trainerEnvironment } from '@trainyard/queue';
import { digitPng, iris, makeZip, mnistDigits, toCsv } from '@trainyard/testing';
import autocannon from 'autocannon';
import { freePort, trainInProcess } from './support';

const root = join(import.meta.dirname, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const SECONDS = Number(arg('seconds', '5'));
const CONCURRENCY = arg('concurrency', '1,2,4,8,16,32').split(',').map(Number);
const SEQUENTIAL = 300; // requests of the precise concurrency-1 measure

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => x.toFixed(2).padStart(7);

/** One request on a keep-alive connection, timed with the high-resolution clock. */
function post(
  agent: http.Agent,
  url: URL,
  headers: Record<string, string>,
  body: Uint8Array | string,
) {
  return new Promise<{ status: number; ms: number }>((resolve, reject) => {
    const started = performance.now();
    const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(agent: http.Agent, url: URL) {
  return new Promise<{ status: number; ms: number }>((resolve, reject) => {
    const started = performance.now();
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }),
        );
      })
      .on('error', reject);
  });
}

interface Case {
  name: string;
  modelId: string;
  headers: Record<string, string>;
  body: Uint8Array | string;
  inputs: PredictInputs;
}

async function main() {
  process.env.LOG_LEVEL ??= 'warn';
  const runtime = await openScratchRuntime('bench-infer', { bucket: 'ty-bench-infer' });
  // The server process talks to the same store (the embedded one's endpoint and credentials).
  const env = { ...process.env, ...trainerEnvironment(runtime.config) };
  const choice = await selectBackend({ preference: runtime.config.backend });
  console.log(`backend (bench process): ${describeChoice(choice)}`);

  let server: ChildProcess | undefined;
  try {
    console.log('training: MNIST CNN (10 digits × 30, 28×28, 2 epochs) and iris MLP (30 epochs)…');
    const digits = mnistDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 30);
    const pngs = await Promise.all(digits.map(digitPng));
    const zip = makeZip(digits.map((d, i) => ({ name: `d/${d.label}/${i}.png`, data: pngs[i]! })));
    const imageModel = await trainInProcess(
      runtime,
      { name: 'digits', task: 'image_classification', format: 'image_folder_zip' },
      zip,
      {
        architecture: { type: 'cnn', input_size: [28, 28], filters: [16, 32] },
        hyperparameters: { epochs: 2, batch_size: 32, early_stopping: null },
      },
    );
    const { header, rows } = iris();
    const tableModel = await trainInProcess(
      runtime,
      { name: 'iris', task: 'tabular_classification', format: 'csv', label_column: 'species' },
      toCsv(header, rows),
      { hyperparameters: { epochs: 30, early_stopping: null } },
    );
    const row = Object.fromEntries(header.slice(0, 4).map((h, i) => [h, rows[0]![i]]));
    const cases: Case[] = [
      {
        name: 'image (1 PNG, raw body)',
        modelId: imageModel,
        headers: { 'content-type': 'image/png' },
        body: pngs[0]!,
        inputs: { form: 'images', images: [{ bytes: pngs[0]!, param: 'body' }] },
      },
      {
        name: 'tabular (1 iris row, JSON)',
        modelId: tableModel,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [row] }),
        inputs: { form: 'json', inputs: [row] },
      },
    ];

    // In this process: the cold load from S3, then the prediction without HTTP.
    const inProcess = new Map<string, { load: number; predict: number; full: number }>();
    for (const c of cases) {
      const t0 = performance.now();
      const predictor = await loadPredictor(runtime.storage, c.modelId);
      const load = performance.now() - t0;
      const xs = await predictor.encode(c.inputs);
      const predict: number[] = [];
      const full: number[] = [];
      for (let i = 0; i < SEQUENTIAL + 20; i++) {
        let t = performance.now();
        predictor.run(xs);
        if (i >= 20) predict.push(performance.now() - t);
        t = performance.now();
        await predictor.predict(c.inputs);
        if (i >= 20) full.push(performance.now() - t);
      }
      tf.dispose(xs);
      predictor.dispose();
      inProcess.set(c.modelId, { load, predict: median(predict), full: median(full) });
    }

    // The inference function as its own process, as `npm start` and Lambda run it.
    const port = await freePort();
    server = spawn(process.execPath, ['--import', 'tsx', 'functions/infer/src/node.ts'], {
      cwd: root,
      env: { ...env, INFER_PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {}
      if (i > 600) throw new Error('the inference server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const { secret } = await runtime.apiKeys.create('bench', { role: 'inference' });
    // The floor any HTTP answer pays here: GET /healthz (no auth, no model) on the same client.
    const floorAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const floor: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      floor.push((await get(floorAgent, new URL(`${url}/healthz`))).ms);
    }
    floorAgent.destroy();
    console.log(`\nHTTP floor, GET /healthz at concurrency 1: median ${ms(median(floor))} ms`);

    for (const c of cases) {
      const target = new URL(`${url}/v1/models/${c.modelId}/predict`);
      const headers = { ...c.headers, authorization: `Bearer ${secret}` };
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const cold = await post(agent, target, headers, c.body);
      if (cold.status !== 200) throw new Error(`${c.name}: status ${cold.status}`);
      const times: number[] = [];
      for (let i = 0; i < SEQUENTIAL + 20; i++) {
        const r = await post(agent, target, headers, c.body);
        if (r.status !== 200) throw new Error(`${c.name}: status ${r.status}`);
        if (i >= 20) times.push(r.ms);
      }
      agent.destroy();
      const warm = median(times);
      const local = inProcess.get(c.modelId)!;
      console.log(`\n## ${c.name} — ${c.modelId}`);
      console.log(
        `cold load from S3: ${ms(local.load)} ms in process (loadPredictor); first HTTP request ${ms(cold.ms)} ms (load + warm-up + predict)`,
      );
      console.log(
        `concurrency 1, median of ${SEQUENTIAL}: HTTP ${ms(warm)} ms | in process: model.predict ${ms(local.predict)} ms, decode+encode+predict ${ms(local.full)} ms`,
      );
      console.log(
        `  HTTP / model.predict = ${(warm / local.predict).toFixed(2)}×; HTTP / full in-process prediction = ${(warm / local.full).toFixed(2)}× (overhead ${(((warm - local.full) / local.full) * 100).toFixed(0)}%)`,
      );
      console.log('  conc   req/s    p50 ms   p99 ms  p99/p50  errors non2xx');
      const results: Array<{ c: number; rps: number; p50: number; p99: number }> = [];
      for (const connections of CONCURRENCY) {
        const r = await autocannon({
          url: target.href,
          method: 'POST',
          headers,
          body: typeof c.body === 'string' ? c.body : Buffer.from(c.body),
          connections,
          duration: SECONDS,
        });
        const row = {
          c: connections,
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
        };
        results.push(row);
        console.log(
          `  ${String(connections).padStart(4)} ${r.requests.average.toFixed(0).padStart(7)} ${String(row.p50).padStart(9)} ${String(row.p99).padStart(8)} ${(row.p99 / Math.max(row.p50, 1)).toFixed(2).padStart(8)} ${String(r.errors + r.timeouts).padStart(7)} ${String(r.non2xx).padStart(6)}`,
        );
      }
      const best = Math.max(...results.map((r) => r.rps));
      const knee = results.find((r) => r.rps >= 0.95 * best)!;
      console.log(
        `  knee (first concurrency within 5% of the best ${best.toFixed(0)} req/s): ${knee.c}, p99/p50 = ${(knee.p99 / Math.max(knee.p50, 1)).toFixed(2)} (autocannon latencies are whole ms)`,
      );
    }
  } finally {
    server?.kill('SIGTERM');
    await runtime.close();
  }
}

await main();
process.exit(0);
