import type * as tf from '@tensorflow/tfjs';
import { InternalError, type JobSpec, type Preprocess } from '@trainyard/shared';
import { buildAttention } from './attention';
import { buildBagOfEmbeddings } from './bag-of-embeddings';
import { buildCnn } from './cnn';
import { buildMlp } from './mlp';
import { buildResnet } from './resnet';
import { buildRnn } from './rnn';

/** A new model for the spec's architecture (not `transfer`: see `buildTransfer`). */
export function buildModel(spec: JobSpec, pre: Preprocess, exampleShape: number[]): tf.LayersModel {
  const outputs = pre.labels?.length ?? null;
  const vocabulary = pre.input.kind === 'text' ? pre.input.vocab.length + 2 : 0;
  switch (spec.architecture.type) {
    case 'cnn':
      return buildCnn(spec, exampleShape, outputs);
    case 'resnet':
      return buildResnet(spec, exampleShape, outputs);
    case 'mlp':
      return buildMlp(spec, exampleShape, outputs);
    case 'rnn':
    case 'lstm':
    case 'gru':
      return buildRnn(spec, exampleShape, outputs, vocabulary);
    case 'attention':
      return buildAttention(spec, exampleShape, outputs, vocabulary);
    case 'bag_of_embeddings':
      return buildBagOfEmbeddings(spec, exampleShape, outputs, vocabulary);
    case 'transfer':
      throw new InternalError('transfer models are built from their base with buildTransfer');
  }
}
