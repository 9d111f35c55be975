/**
 * `npm run bench:infer [-- --seconds 5 --concurrency 1,2,4,8,16,32]`: trains a small CNN on real
 * MNIST digits and an MLP on iris with the real trainer, starts the inference function as its own
 * process on a free port, and drives `POST /v1/models/{id}/predict` with autocannon at several
 * concurrencies. Prints p50/p99 latency, requests/s, the cold load of a model from S3, and the
 * ratio of HTTP time to the same prediction in this process. Method and caveats:
 * bench/README-infer.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SERVING_WASM_THREADS } from '@trainyard/infer';
import { openScratchRuntime } from '@trainyard/local';
import { describeChoice, loadPredictor, selectBackend } from '@trainyard/ml';
import { trainerEnvironment } from '@trainyard/queue';
import autocannon from 'autocannon';
import { benchModels, freePort } from './support';

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

/** CPU time (user + system) a process has used, ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
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

/**
 * The round trip of a bare `node:http` server in its own process (a fixed 11-byte JSON answer, no
 * framework): the least any HTTP endpoint served by Node costs on this machine at concurrency 1,
 * ms (median of `SEQUENTIAL` keep-alive GETs on the same client as the other measures).
 */
async function bareNodeFloor(): Promise<number> {
  const source =
    "const s=require('node:http').createServer((q,r)=>{r.writeHead(200,{'content-type':'application/json','content-length':11});r.end('{\"ok\":true}')});" +
    "s.listen(0,'127.0.0.1',()=>process.stdout.write(String(s.address().port)+'\\n'))";
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      child.once('exit', (code) => reject(new Error(`the bare server exited with ${code}`)));
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const url = new URL(`http://127.0.0.1:${port}/`);
    const times: number[] = [];
    for (let i = 0; i < SEQUENTIAL + 20; i++) {
      const r = await get(agent, url);
      if (i >= 20) times.push(r.ms);
    }
    agent.destroy();
    return median(times);
  } finally {
    child.kill('SIGTERM');
  }
}

async function main() {
  process.env.LOG_LEVEL ??= 'warn';
  const runtime = await openScratchRuntime('bench-infer', { bucket: 'ty-bench-infer' });
  // The server process talks to the same store (the embedded one's endpoint and credentials).
  // Both sides on the threads the inference function serves with (TFJS_WASM_THREADS, else its
  // default): the first backend started in this process is the one training and the in-process
  // measures then run on.
  const threads = runtime.config.wasmThreads ?? SERVING_WASM_THREADS;
  const env = {
    ...process.env,
    ...trainerEnvironment(runtime.config),
    TFJS_WASM_THREADS: String(threads),
  };
  const choice = await selectBackend({ preference: runtime.config.backend, wasm: { threads } });
  console.log(`backend (bench process and server): ${describeChoice(choice)}`);
  console.log(
    `server: INFER_BATCH_MAX=${runtime.config.infer.batchMax} (requests to one model per run; 1: no batching), INFER_LATENCY_BUDGET_MS=${runtime.config.admission.infer.latencyBudgetMs}`,
  );

  let server: ChildProcess | undefined;
  try {
    console.log('training: MNIST CNN (10 digits × 30, 28×28, 2 epochs) and iris MLP (30 epochs)…');
    const cases = await benchModels(runtime);
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
    const bare = await bareNodeFloor();
    console.log(
      `Node's own floor, a bare node:http server in another process answering 11 bytes: median ${ms(bare)} ms (no framework, no middleware: no HTTP endpoint on Node here answers faster)`,
    );

    for (const c of cases) {
      const target = new URL(`${url}/v1/models/${c.modelId}/predict`);
      const headers = { ...c.headers, authorization: `Bearer ${secret}` };
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const cold = await post(agent, target, headers, c.body);
      if (cold.status !== 200) throw new Error(`${c.name}: status ${cold.status}`);
      const times: number[] = [];
      let cpuBefore = 0;
      for (let i = 0; i < SEQUENTIAL + 20; i++) {
        if (i === 20) cpuBefore = cpuMs(server.pid!);
        const r = await post(agent, target, headers, c.body);
        if (r.status !== 200) throw new Error(`${c.name}: status ${r.status}`);
        if (i >= 20) times.push(r.ms);
      }
      const serverCpu = (cpuMs(server.pid!) - cpuBefore) / SEQUENTIAL;
      // The floor at the same moment: GET /healthz and the prediction in turns, on one connection.
      const paired: number[] = [];
      const healthz = new URL(`${url}/healthz`);
      for (let i = 0; i < SEQUENTIAL; i++) {
        const h = await get(agent, healthz);
        const p = await post(agent, target, headers, c.body);
        paired.push(p.ms - h.ms);
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
      console.log(
        `  server CPU per request (all threads, /proc): ${ms(serverCpu)} ms = ${(serverCpu / local.full).toFixed(2)}× the in-process prediction's wall time`,
      );
      console.log(
        `  ${warm <= 1.2 * local.full ? 'PASS' : 'FAIL'}  HTTP median ≤ 1.2 × in-process (${ms(warm)} vs ${ms(1.2 * local.full)} ms)`,
      );
      console.log(
        `  the check leaves ${ms(0.2 * local.full)} ms for everything HTTP adds; Node's bare round trip alone takes ${ms(bare)} ms (${(bare / (0.2 * local.full)).toFixed(1)}× that)`,
      );
      // What the endpoint adds beyond any HTTP answer here: the median of (prediction − the
      // /healthz just before it on the same connection), 300 pairs.
      const beyond = median(paired);
      console.log(
        `  beyond the HTTP floor (median of prediction − /healthz, ${SEQUENTIAL} pairs in turns): ${ms(beyond)} ms = ${(beyond / local.full).toFixed(2)} × the in-process prediction`,
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
