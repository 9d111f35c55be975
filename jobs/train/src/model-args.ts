import type * as tf from '@tensorflow/tfjs';
import type { ArchitectureArgs, ModelArgs, TransferArgs } from '@trainyard/ml';
import { InternalError, type JobSpec, type Preprocess } from '@trainyard/shared';

/**
 * The job spec mapped to `ml`'s model arguments: the one place the trainer's wire names
 * (`architecture.*`, `regularization.*`) meet the model builders' own.
 */

/** The head and regularization every architecture takes. */
function common(spec: JobSpec, classes: number | null): Omit<ModelArgs, 'inputShape'> {
  const { head } = spec.architecture;
  const { l1, l2, dropout } = spec.regularization;
  return {
    classes,
    head: { units: head.units, activation: head.activation, batchNorm: head.batch_norm },
    dropout,
    l1,
    l2,
  };
}

/**
 * The arguments of the spec's architecture built from scratch, for examples of `exampleShape`
 * encoded with `pre` (its labels are the classes; a text vocabulary adds its padding and
 * unknown-token ids). Not for `transfer`: see `transferArgs`.
 */
export function modelArgs(
  spec: JobSpec,
  pre: Preprocess,
  exampleShape: number[],
): ArchitectureArgs {
  const a = spec.architecture;
  const args = { ...common(spec, pre.labels?.length ?? null), inputShape: exampleShape };
  const vocabulary = pre.input.kind === 'text' ? pre.input.vocab.length + 2 : 0;
  switch (a.type) {
    case 'cnn':
      return { ...args, type: 'cnn', filters: a.filters, batchNorm: a.batch_norm };
    case 'resnet':
      return {
        ...args,
        type: 'resnet',
        filters: a.filters,
        batchNorm: a.batch_norm,
        blocksPerStage: a.blocks_per_stage,
      };
    case 'mlp':
      return { ...args, type: 'mlp' };
    case 'rnn':
    case 'lstm':
    case 'gru':
      return {
        ...args,
        type: 'rnn',
        cell: a.type,
        vocabulary,
        embeddingDim: a.embedding_dim,
        units: a.rnn_units,
        layers: a.num_layers,
        bidirectional: a.bidirectional,
      };
    case 'attention':
      return {
        ...args,
        type: 'attention',
        vocabulary,
        maxLength: a.max_length,
        embeddingDim: a.embedding_dim,
        heads: a.num_heads,
        layers: a.num_layers,
      };
    case 'bag_of_embeddings':
      return { ...args, type: 'bag_of_embeddings', vocabulary, embeddingDim: a.embedding_dim };
    case 'transfer':
      throw new InternalError('transfer models are built from their base: use transferArgs');
  }
}

/**
 * The prefix of a transfer job's head layers: the job id's tail, so a model trained here can be
 * the base of another job without its head's names clashing with the new one's.
 */
export function headName(spec: JobSpec): string {
  return `head${spec.id.slice(-6)}`;
}

/** The arguments of a transfer model on `base` with `classes` outputs (null: regression). */
export function transferArgs(
  spec: JobSpec,
  base: tf.LayersModel,
  classes: number | null,
): TransferArgs {
  return {
    ...common(spec, classes),
    base,
    cutLayer: spec.architecture.cut_layer,
    inputSize: spec.architecture.input_size,
    headName: headName(spec),
  };
}
