import type { ModelFamily } from './model-shape';

/**
 * The local trainer's speed on this project's development machine (2 shared cores, Node 20, the
 * wasm backend with packages/ml's SIMD and fused kernels), one set of constants per model family.
 *
 * Measured with `npm run bench:plan` on 2026-11-29 (after the fused LSTM/GRU and dense-step
 * kernels; load average about 3 from other work): each family's job run at 1 and 3 epochs
 * through the platform, the difference giving one epoch's seconds and the start-up. Fitted:
 *
 * | family    | data (train+validation)       | s/epoch | start-up s | s per MAC |
 * | --------- | ----------------------------- | ------- | ---------- | --------- |
 * | dense     | 800+200 MNIST rows, 784 cols  | 0.78    | 3.1        | 5.6e-9    |
 * | conv      | 800+200 28×28 PNGs, default CNN | 0.88  | 8.7        | 1.7e-10   |
 * | recurrent | 320+80 SpamAssassin mails, GRU | 1.06   | 6.2        | 5.0e-10   |
 * | attention | 320+80 mails, attention       | 8.19    | 12.4       | 2.0e-9    |
 *
 * Dense models cost far more per multiply-add than convolutions: their matrices are small, so a
 * step is dominated by per-op work rather than arithmetic. Re-run the bench after changing the
 * kernels or the trainer, and update these numbers and `measuredOn`.
 *
 * A job's time is `startup[family] + epochs × (steps × step + examples × macs × mac[family])`:
 * - `startupSeconds[family]`: from the job's creation to its first epoch and from its last epoch
 *   to the published model (process start, backend, data load and decoding, evaluation, upload);
 * - `stepSeconds`: one optimizer step of a model too small for its arithmetic to count (the
 *   per-batch cost of dispatching tfjs ops), validation and per-epoch checkpoint included;
 * - `secondsPerMac[family]`: one multiply-add of the forward pass, in training (forward,
 *   backward and update together) per example.
 */
export const LOCAL_CALIBRATION = {
  measuredOn: '2026-11-29',
  command: 'npm run bench:plan',
  backend: 'wasm',
  startupSeconds: {
    dense: 3,
    conv: 9,
    recurrent: 6,
    attention: 12,
  } satisfies Record<ModelFamily, number>,
  stepSeconds: 0.01,
  secondsPerMac: {
    dense: 5.6e-9,
    conv: 1.7e-10,
    recurrent: 5e-10,
    attention: 2e-9,
  } satisfies Record<ModelFamily, number>,
} as const;
