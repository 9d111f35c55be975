import os from 'node:os';
import type { Architecture } from '@trainyard/shared';

type ArchitectureType = Architecture['type'];

/**
 * How many threads the wasm backend should train an architecture on. XNNPACK splits convolutions
 * well over threads, but for dense and recurrent models each op is small and the hand-off costs
 * more than it saves: in `npm run bench:train` on 2 cores the MLP trained at 16,245 samples/s on
 * one thread and 9,133 on two, the LSTM at 291 and 235, while the CNN gained (2,128 on two, 2,026
 * on one). Convolutional architectures get every core, the others one.
 */
export function wasmThreadsFor(
  architecture: ArchitectureType,
  cores: number = os.availableParallelism(),
): number {
  return architecture === 'cnn' || architecture === 'resnet' || architecture === 'transfer'
    ? cores
    : 1;
}
