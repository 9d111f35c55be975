import * as tf from '@tensorflow/tfjs';
import { preprocessSchema } from '@trainyard/shared/portable';
import { afterAll, describe, expect, it } from 'vitest';
import { Predictor } from './predictor';
import { DEFAULT_TOKENIZER } from './preprocess/text';

// A `preprocess.json` as models trained before the segmenter saved it: no `tokenizer` field.
const saved = {
  version: 1,
  task: 'text_classification',
  input: {
    kind: 'text',
    lowercase: true,
    vocab: ['love', 'it', 'excellent', 'terrible', '😍', '新闻'],
    max_length: 4,
  },
  labels: ['negative', 'positive'],
  target: null,
};
const oldPre = preprocessSchema.parse(saved);
const newPre = preprocessSchema.parse({
  ...saved,
  input: { ...saved.input, tokenizer: DEFAULT_TOKENIZER },
});

const model = tf.sequential({
  layers: [
    tf.layers.embedding({ inputDim: saved.input.vocab.length + 2, outputDim: 3, inputLength: 4 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 2, activation: 'softmax' }),
  ],
});
afterAll(() => model.dispose());

async function ids(pre: typeof oldPre, text: string): Promise<number[]> {
  const xs = await new Predictor(model, pre).encode({ form: 'json', inputs: [text] });
  const out = Array.from(await xs.data());
  xs.dispose();
  return out;
}

// id 0 pads, 1 is an unknown word, vocab[i] is i + 2: love 2, it 3, excellent 4, 😍 6, 新闻 7.
describe('text models saved without a tokenizer', () => {
  it('parse, and keep the letters-and-digits tokenizer they were trained with', async () => {
    expect(oldPre.input).not.toHaveProperty('tokenizer');
    // Full-width letters stay unknown, the emoji is dropped, Chinese is one run: as before.
    expect(await ids(oldPre, 'ＬＯＶＥ it 😍')).toEqual([0, 0, 1, 3]);
    expect(await ids(oldPre, '新闻里阴天')).toEqual([0, 0, 0, 1]);
    expect(await ids(oldPre, 'Love it, EXCELLENT!')).toEqual([0, 2, 3, 4]);
  });

  it('predict the same scores as before for the same words', async () => {
    const old = new Predictor(model, oldPre);
    const [a, b] = await old.predict({ form: 'json', inputs: ['ＬＯＶＥ it 😍', 'zzz it'] }, {});
    expect(a).toEqual(b);
    const segmented = new Predictor(model, newPre);
    const [c, d] = await segmented.predict(
      { form: 'json', inputs: ['ＬＯＶＥ it 😍', 'zzz it'] },
      {},
    );
    expect(c).not.toEqual(d);
  });

  it('while models with the segmenter fold width, keep emoji and cut Chinese words', async () => {
    expect(await ids(newPre, 'ＬＯＶＥ it 😍')).toEqual([0, 2, 3, 6]);
    expect(await ids(newPre, '新闻里阴天')).toEqual([0, 7, 1, 1]);
  });
});
