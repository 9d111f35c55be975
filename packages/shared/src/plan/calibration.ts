import type { ModelFamily } from './model-shape';

/**
 * The local trainer's speed on this project's development machine (2 shared cores, Node 20, the
 * wasm backend with packages/ml's SIMD kernels).
 *
 * Measured so far: `startupSeconds` and `stepSeconds`, from the iris job of
 * `npx vitest run test/jobs/plan.test.ts` on 2026-11-29 (48 steps of a 2,499-parameter MLP:
 * 7.3 s from creation to the published model, almost all of it start-up). NOT yet measured: the
 * `secondsPerMac` values are provisional (one guess for every family); replace them with one
 * measured job per family (a CNN on 32×32 images, a GRU and a transformer on texts) and update
 * `measuredOn`.
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
  measuredOn: '2026-11-29',
  command: 'npx vitest run test/jobs/plan.test.ts (iris MLP only)',
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
