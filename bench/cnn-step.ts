/**
 * `npx tsx bench/cnn-step.ts [--threads 1] [--rounds 6] [--steps 10]`: the bench CNN's training
 * step on wasm, tfjs-layers' `trainOnBatch` against the fused sequential step, in interleaved
 * rounds on the same random 64-digit batches: ms of this process's CPU time and of wall time per
 * step (medians over rounds), and the kernels one step runs. With more than one thread also the
 * fused step with `TRAINYARD_WASM_POOL=0` (our kernels on the calling thread alone), in the same
 * rounds. A companion to `bench:train` for work on the step itself (bench/README-train.md).
 */
import * as tf from '@tensorflow/tfjs';
import { fusedTrainStep, selectBackend } from '@trainyard/ml';
import { smallCnn } from './cnn-model';

const value = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const threads = value('threads', 1);
const rounds = value('rounds', 6);
const steps = value('steps', 10);

await selectBackend({ preference: 'wasm', wasm: { threads } });
const x = tf.randomUniform([64, 28, 28, 1], 0, 1, 'float32', 1);
const labels = tf.tensor1d(
  Array.from({ length: 64 }, (_, i) => i % 10),
  'float32',
);
const generic = smallCnn();
const fusedModel = smallCnn();
const fused = fusedTrainStep(fusedModel, fusedModel.optimizer);
if (!fused) throw new Error('the fused step does not cover the bench CNN');
const runs: Record<string, () => Promise<void>> = {
  generic: async () => {
    await generic.trainOnBatch(x, labels);
  },
  fused: async () => {
    fused(x, labels);
  },
};
if (threads > 1) {
  // The fused step with our kernels on the calling thread only (no kernel pool), same model.
  runs['fused, no pool'] = async () => {
    process.env.TRAINYARD_WASM_POOL = '0';
    try {
      fused(x, labels);
    } finally {
      delete process.env.TRAINYARD_WASM_POOL;
    }
  };
}
const times: Record<string, { cpu: number[]; wall: number[] }> = {};
for (const [name, run] of Object.entries(runs)) {
  await run(); // first-call setup
  times[name] = { cpu: [], wall: [] };
  const { kernelNames } = await tf.profile(run);
  const counts = new Map<string, number>();
  for (const k of kernelNames) counts.set(k, (counts.get(k) ?? 0) + 1);
  console.log(`${name}: ${kernelNames.length} kernels a step`, Object.fromEntries(counts));
}
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of Object.entries(runs)) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let s = 0; s < steps; s++) await run();
    const used = process.cpuUsage(cpu);
    times[name]!.wall.push((performance.now() - start) / steps);
    times[name]!.cpu.push((used.user + used.system) / 1000 / steps);
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
for (const [name, t] of Object.entries(times)) {
  console.log(
    `${name.padEnd(15)} CPU ${median(t.cpu).toFixed(2)} ms/step (min ${Math.min(...t.cpu).toFixed(2)}), wall ${median(t.wall).toFixed(2)} ms/step`,
  );
}
console.log(`threads ${threads}, tf.memory().numTensors ${tf.memory().numTensors}`);
