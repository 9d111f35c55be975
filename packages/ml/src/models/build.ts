import type * as tf from '@tensorflow/tfjs';
import { type AttentionArgs, buildAttention } from './attention';
import { type BagOfEmbeddingsArgs, buildBagOfEmbeddings } from './bag-of-embeddings';
import { buildCnn, type CnnArgs } from './cnn';
import { buildMlp, type MlpArgs } from './mlp';
import { buildResnet, type ResnetArgs } from './resnet';
import { buildRnn, type RnnArgs } from './rnn';

/**
 * One architecture built from scratch, by `type`, with its own arguments (transfer models are
 * built from their base: see `buildTransfer`). Each `XxxArgs` documents its defaults.
 */
export type ArchitectureArgs =
  | ({ type: 'cnn' } & CnnArgs)
  | ({ type: 'resnet' } & ResnetArgs)
  | ({ type: 'mlp' } & MlpArgs)
  | ({ type: 'rnn' } & RnnArgs)
  | ({ type: 'attention' } & AttentionArgs)
  | ({ type: 'bag_of_embeddings' } & BagOfEmbeddingsArgs);

/** A new, untrained model of `args.type`. */
export function buildModel(args: ArchitectureArgs): tf.LayersModel {
  switch (args.type) {
    case 'cnn':
      return buildCnn(args);
    case 'resnet':
      return buildResnet(args);
    case 'mlp':
      return buildMlp(args);
    case 'rnn':
      return buildRnn(args);
    case 'attention':
      return buildAttention(args);
    case 'bag_of_embeddings':
      return buildBagOfEmbeddings(args);
  }
}
