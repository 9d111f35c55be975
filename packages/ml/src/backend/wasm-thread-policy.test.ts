import { describe, expect, it } from 'vitest';
import { wasmThreadsFor } from './wasm-thread-policy';

describe('wasmThreadsFor', () => {
  it('gives convolutional architectures every core and the others one', () => {
    for (const a of ['cnn', 'resnet', 'transfer'] as const) expect(wasmThreadsFor(a, 8)).toBe(8);
    for (const a of ['mlp', 'rnn', 'lstm', 'gru', 'attention'] as const) {
      expect(wasmThreadsFor(a, 8)).toBe(1);
    }
  });
});
