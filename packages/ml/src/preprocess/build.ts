import { decodeImage } from '@trainyard/predict/sharp';
import type { ImageInput, JobSpec, Preprocess } from '@trainyard/shared';
import type { RawDataset } from '../data/raw';
import { channelStats } from './image';
import { buildTableInput } from './table';
import { buildTextInput } from './text';

/** Images used to estimate channel statistics: enough for stable means, cheap to decode. */
const STATS_SAMPLE = 1000;

/**
 * The preprocessing a new model gets, fitted on the training split only (no validation data leaks
 * into the statistics or the vocabulary). A transfer model keeps its base's input preprocessing,
 * since the base's weights were learnt on inputs prepared that way. `vectorWords` (text): the
 * words of the pretrained vectors the embedding starts from, filling the vocabulary's free slots
 * (`buildTextInput`).
 */
export async function buildPreprocess(
  raw: RawDataset,
  train: readonly number[],
  spec: JobSpec,
  base?: Preprocess,
  vectorWords?: readonly string[],
): Promise<Preprocess> {
  const labels =
    raw.manifest.kind === 'table' ? (raw.manifest.classes ?? null) : raw.manifest.classes;
  if (raw.kind === 'images') {
    let input: ImageInput;
    if (base && base.input.kind === 'image') {
      // The base's scaling; its size unless the job gives one (buildTransfer resizes the base).
      const [height, width] = spec.architecture.input_size ?? [base.input.height, base.input.width];
      input = { ...base.input, height, width };
    } else {
      const [height, width] = spec.architecture.input_size ?? [32, 32];
      const grey = train.every((i) => raw.channels[i] === 1 || raw.channels[i] === 2);
      const channels = grey ? 1 : 3;
      const shell: ImageInput = { kind: 'image', height, width, channels, mean: [], std: [] };
      const sample = train.slice(0, STATS_SAMPLE);
      const size = height * width * channels;
      const pixels = new Uint8Array(sample.length * size);
      for (const [k, i] of sample.entries())
        pixels.set(await decodeImage(raw.images[i]!, shell), k * size);
      input = { ...shell, ...channelStats(pixels, channels) };
    }
    return { version: 1, task: spec.task, input, labels, target: null };
  }
  if (raw.kind === 'table') {
    const input =
      base?.input.kind === 'table'
        ? base.input
        : buildTableInput(raw.manifest.columns, raw.manifest.label_column);
    let target: Preprocess['target'] = null;
    if (!labels) {
      let sum = 0;
      let sumSq = 0;
      for (const i of train) {
        sum += raw.labels[i]!;
        sumSq += raw.labels[i]! ** 2;
      }
      const mean = sum / train.length;
      target = { mean, std: Math.sqrt(Math.max(1e-12, sumSq / train.length - mean * mean)) };
    }
    return { version: 1, task: spec.task, input, labels, target };
  }
  const input =
    base?.input.kind === 'text'
      ? base.input
      : buildTextInput(
          train.map((i) => raw.texts[i]!),
          spec.architecture.vocab_size,
          spec.architecture.max_length,
          undefined,
          vectorWords,
        );
  return { version: 1, task: spec.task, input, labels, target: null };
}
