import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import * as tf from '@tensorflow/tfjs';
import { loadWasm } from '../packages/ml/src/backend/wasm';
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
await loadWasm({ threads: 1 });
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const mem = new WebAssembly.Memory({ initial: 2000 });
const mods = Object.fromEntries(['4-plain','4-relaxed','5-plain','5-relaxed','6-plain','6-relaxed','7-plain','7-relaxed'].map((v) => [v, (new WebAssembly.Instance(new WebAssembly.Module(readFileSync(`/tmp/cx/c${v}.wasm`)), { env: { memory: mem } }).exports as any).convForward]));
const reps = 30;
function time(f: () => void) { f(); const t = cpu(); for (let i = 0; i < reps; i++) f(); return (cpu() - t) / reps; }
for (const [N, H, ci, co, grad] of [[64, 28, 1, 16, 0], [64, 14, 16, 32, 0], [64, 14, 16, 32, 1]] as const) {
  const x = tf.randomNormal([N, H, H, ci]) as tf.Tensor4D; const w = tf.randomNormal([3, 3, ci, co]) as tf.Tensor4D;
  const dy = tf.randomNormal([N, H, H, co]) as tf.Tensor4D;
  const op = () => grad ? tf.conv2dTranspose(dy, w, [N, H, H, ci], 1, 'same') : tf.conv2d(x, w, 1, 'same');
  let y = op(); const ref = y.dataSync(); y.dispose();
  const xnn = time(() => op().dispose());
  const f = new Float32Array(mem.buffer);
  const inp = grad ? dy.dataSync() : x.dataSync(); const ws = w.dataSync();
  f.set(inp, 0); const wOff = inp.length; f.set(ws, wOff); const oOff = wOff + ws.length; const sOff = oOff + ref.length;
  const [cin, cout] = grad ? [co, ci] : [ci, co];
  const res: string[] = [];
  for (const v of Object.keys(mods)) {
    const run = () => mods[v](0, wOff * 4, oOff * 4, sOff * 4, N, H, H, cin, H, H, cout, 3, 3, 1, 1, grad);
    run();
    let err = 0; for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(f[oOff + i]! - ref[i]!));
    res.push(`${v} ${time(run).toFixed(2)} ms err ${err.toExponential(1)}`);
  }
  const mac = N * H * H * ci * co * 9;
  console.log(`${grad ? 'dx ' : ''}${N}x${H}x${H}x${ci}->${co}: xnnpack ${xnn.toFixed(2)} ms (${(mac / xnn / 1e6).toFixed(1)} GMAC/s); ${res.join('; ')}`);
}
