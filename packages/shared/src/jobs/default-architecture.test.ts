import { describe, expect, it } from 'vitest';
import type { Dataset, DatasetStats } from '../schemas/datasets';
import { resolveJobSpec } from './defaults';

function dataset(task: Dataset['task'], stats: DatasetStats): Dataset {
  return {
    id: 'ds_x',
    object: 'dataset',
    name: 'x',
    task,
    format: task === 'image_classification' ? 'image_folder_zip' : 'jsonl',
    label_column: null,
    status: 'ready',
    created_at: 1,
    updated_at: 1,
    file: { bytes: 100, etag: null },
    report: { errors: [], warnings: [], stats },
  };
}

const summary = (mean: number) => ({ min: mean, max: mean, mean });

/** `perClass` images a class in 10 classes, `side`×`side`, with `channels` channels. */
function images(perClass: number, side: number, channels: number): Dataset {
  const classes = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`c${i}`, perClass]));
  return dataset('image_classification', {
    examples: perClass * 10,
    classes,
    bytes: 100,
    images: {
      width: summary(side),
      height: summary(side),
      channels: { [String(channels)]: perClass * 10 },
      formats: { png: perClass * 10 },
    },
  });
}

const resolve = (d: Dataset, request: object = {}) =>
  resolveJobSpec('ftjob_x', { dataset: d.id, ...request }, d);

describe('the default architecture of an image job', () => {
  it('fine-tunes the built-in MobileNetV2 cut at block 13 at 96×96 on colour or larger pictures', () => {
    for (const d of [
      images(21, 28, 3),
      images(50, 64, 1),
      images(50, 300, 3),
      images(2000, 64, 3),
    ]) {
      const spec = resolve(d);
      expect(spec.base_model).toBe('bm_mobilenetv2block13');
      expect(spec.architecture).toMatchObject({
        type: 'transfer',
        cut_layer: 'block_13_expand_relu',
        input_size: [96, 96],
        trainable_base_layers: 4,
      });
      expect(spec.hyperparameters).toMatchObject({
        learning_rate: 0.001,
        fine_tune_epochs: 5,
        fine_tune_learning_rate_factor: 0.1,
      });
      expect(spec.model_name).toBe('x-transfer');
      expect(spec.architecture.head.units).toEqual([128]);
      expect(spec.validation_split).toBe(0.2);
      expect(spec.hyperparameters.refit).toBe(false);
    }
  });

  it('trains a linear head on the composed built-in base to convergence on a few pictures a class', () => {
    for (const d of [images(8, 28, 3), images(8, 64, 1), images(20, 300, 3)]) {
      const spec = resolve(d);
      expect(spec.base_model).toBe('bm_mobilenetv2inceptionv3');
      expect(spec.architecture).toMatchObject({
        type: 'transfer',
        cut_layer: 'features',
        input_size: [160, 160],
        trainable_base_layers: 0,
        head: { units: [] },
      });
      expect(spec.regularization).toMatchObject({ dropout: 0, l2: 0.001 });
      expect(spec.validation_split).toBe(0.1);
      expect(spec.hyperparameters).toMatchObject({
        learning_rate: 0.003,
        epochs: 100,
        early_stopping: null,
        fine_tune_epochs: 0,
        refit: true,
      });
    }
    // A refit has no place in tuning (trials are scored on the validation split).
    const tuning = { metric: 'val_accuracy', max_trials: 2, search_space: {} };
    expect(resolve(images(8, 64, 3), { tuning }).hyperparameters.refit).toBe(false);
    expect(() => resolve(images(8, 64, 3), { tuning, hyperparameters: { refit: true } })).toThrow(
      expect.objectContaining({ param: 'hyperparameters.refit' }),
    );
    // What the request says still wins.
    const asked = resolve(images(8, 64, 3), {
      hyperparameters: { learning_rate: 0.002, epochs: 7 },
      architecture: { head: { units: [32] } },
    });
    expect(asked.hyperparameters).toMatchObject({ learning_rate: 0.002, epochs: 7 });
    expect(asked.architecture.head.units).toEqual([32]);
    expect(
      resolve(images(8, 64, 3), { hyperparameters: { optimizer: 'sgd' } }).hyperparameters
        .learning_rate,
    ).toBe(0.03); // 3× sgd's default 0.01
    // Only the default transfer is few-shot: a CNN asked for keeps its own defaults.
    const cnn = resolve(images(8, 64, 3), { architecture: { type: 'cnn' } });
    expect(cnn.hyperparameters).toMatchObject({ learning_rate: 0.001, epochs: 30 });
    expect(cnn.architecture.head.units).toEqual([128]);
  });

  it('trains the CNN from scratch on digit-like images (grey, ≤ 32×32), and past 20,000 examples', () => {
    for (const d of [images(8, 28, 1), images(300, 28, 1), images(2001, 64, 3)]) {
      const spec = resolve(d);
      expect(spec.base_model).toBeNull();
      expect(spec.architecture.type).toBe('cnn');
      expect(spec.hyperparameters.fine_tune_epochs).toBe(0);
    }
    expect(resolve(images(8, 28, 1)).architecture.input_size).toEqual([28, 28]);
  });

  it('does what the request says: an architecture, a base, or base_model none', () => {
    const small = images(8, 64, 3);
    expect(resolve(small, { architecture: { type: 'cnn' } })).toMatchObject({
      base_model: null,
      architecture: { type: 'cnn', trainable_base_layers: 0 },
    });
    expect(resolve(small, { base_model: 'none' }).architecture.type).toBe('cnn');
    const named = resolve(small, { base_model: 'bm_mobilenetv2block13' });
    expect(named.architecture).toMatchObject({
      type: 'transfer',
      cut_layer: 'block_13_expand_relu',
      input_size: null,
      trainable_base_layers: 0,
    });
    const sized = resolve(small, { architecture: { input_size: [128, 128] } });
    expect(sized.architecture.input_size).toEqual([128, 128]);
    expect(
      resolve(small, { hyperparameters: { fine_tune_epochs: 0 } }).hyperparameters,
    ).toMatchObject({ fine_tune_epochs: 0 });
  });
});

describe('the default architecture of a text job', () => {
  const texts = (examples: number) =>
    dataset('text_classification', {
      examples,
      classes: { a: examples / 2, b: examples / 2 },
      bytes: 100,
    });

  it('is bag_of_embeddings under 5,000 examples, 30 epochs; the GRU from 5,000, 10 epochs', () => {
    expect(resolve(texts(600)).architecture.type).toBe('bag_of_embeddings');
    expect(resolve(texts(600)).hyperparameters.epochs).toBe(30);
    expect(resolve(texts(4998)).architecture.type).toBe('bag_of_embeddings');
    expect(resolve(texts(5000)).architecture.type).toBe('gru');
    expect(resolve(texts(5000)).hyperparameters.epochs).toBe(10);
  });

  it('starts recurrent models from the built-in GloVe vectors unless the request says otherwise', () => {
    for (const type of ['gru', 'lstm', 'rnn'] as const) {
      const spec = resolve(texts(600), { architecture: { type } });
      expect(spec.architecture).toMatchObject({
        embeddings: { base_model: 'bm_glove100d', trainable: true },
        embedding_dim: 100,
      });
    }
    // The GRU a large dataset defaults to, too.
    expect(resolve(texts(5000)).architecture.embeddings?.base_model).toBe('bm_glove100d');
    // The bag of embeddings and attention keep their random start.
    expect(resolve(texts(600)).architecture.embeddings).toBeNull();
    expect(
      resolve(texts(600), { architecture: { type: 'attention' } }).architecture.embeddings,
    ).toBeNull();
    // Saying anything of the embedding is heard: null, a size of its own, frozen vectors, tuning.
    const gru = (architecture: object, extra: object = {}) =>
      resolve(texts(600), { architecture: { type: 'gru', ...architecture }, ...extra })
        .architecture;
    expect(gru({ embeddings: null })).toMatchObject({ embeddings: null, embedding_dim: 64 });
    expect(gru({ embedding_dim: 32 })).toMatchObject({ embeddings: null, embedding_dim: 32 });
    expect(
      gru({ embeddings: { base_model: 'bm_glove100d', trainable: false } }).embeddings,
    ).toEqual({ base_model: 'bm_glove100d', trainable: false });
    const tuning = {
      metric: 'val_accuracy',
      max_trials: 2,
      search_space: { 'architecture.embedding_dim': { type: 'categorical', values: [32, 64] } },
    };
    expect(gru({}, { tuning }).embeddings).toBeNull();
  });

  it('takes bag_of_embeddings when asked, whatever the size, and never for images', () => {
    expect(
      resolve(texts(20_000), { architecture: { type: 'bag_of_embeddings' } }).architecture.type,
    ).toBe('bag_of_embeddings');
    expect(() =>
      resolve(images(8, 28, 1), { architecture: { type: 'bag_of_embeddings' } }),
    ).toThrow(expect.objectContaining({ param: 'architecture.type' }));
  });
});
