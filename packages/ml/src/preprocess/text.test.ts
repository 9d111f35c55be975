import { DEFAULT_TOKENIZER, encodeText, tokenize, vocabIndex } from '@trainyard/predict';
import { describe, expect, it } from 'vitest';
import { buildTextInput, MIN_TEXT_LENGTH } from './text';

const words = (text: string) => tokenize(text, true, DEFAULT_TOKENIZER);

describe('tokenize with Intl.Segmenter', () => {
  it('cuts Chinese written without spaces into words', () => {
    expect(words('新闻里阴天有雾空气湿度高。')).toEqual([
      '新闻',
      '里',
      '阴天',
      '有',
      '雾',
      '空气',
      '湿度',
      '高',
    ]);
  });

  it('cuts Japanese (kanji, hiragana, katakana) into words, dropping punctuation', () => {
    expect(words('今日は東京で雨が降っています。カタカナもテスト')).toEqual([
      '今日',
      'は',
      '東京',
      'で',
      '雨',
      'が',
      '降',
      'って',
      'い',
      'ます',
      'カタカナ',
      'も',
      'テスト',
    ]);
  });

  it('cuts Thai, which has no spaces between words', () => {
    expect(words('ฉันรักภาษาไทยมากเพราะอาหารอร่อย')).toEqual([
      'ฉัน',
      'รัก',
      'ภาษา',
      'ไทย',
      'มาก',
      'เพราะ',
      'อาหาร',
      'อร่อย',
    ]);
  });

  it('lower-cases, folds full-width letters (NFKC), keeps numbers and emoji, drops punctuation', () => {
    expect(words("Don't STOP, ＦＵＬＬ width ﬁne (28) 3.14 😍 👍🏽!")).toEqual([
      "don't",
      'stop',
      'full',
      'width',
      'fine',
      '28',
      '3.14',
      '😍',
      '👍',
    ]);
  });

  it('stops after `limit` words', () => {
    expect(tokenize('one, two; three four', true, DEFAULT_TOKENIZER, 2)).toEqual(['one', 'two']);
  });

  it('gives one spelling for composed and decomposed accents', () => {
    expect(words('Cre\u0300me brûlée')).toEqual(words('Crème brûle\u0301e'));
    expect(words('Cre\u0300me')).toEqual(['crème']);
  });

  it('without a tokenizer (models saved before it) splits on letters and digits as before', () => {
    expect(tokenize('Hello, World! 新闻里阴天', true)).toEqual(['hello', 'world', '新闻里阴天']);
    expect(tokenize('Hello, World!', true, { type: 'regex' })).toEqual(['hello', 'world']);
  });
});

describe('buildTextInput / encodeText', () => {
  it('saves the tokenizer with the vocabulary and encodes with it', () => {
    const input = buildTextInput(['东京下雨了', '东京天气好'], 100, 200);
    expect(input.tokenizer).toEqual(DEFAULT_TOKENIZER);
    expect(input.vocab).toContain('东京');
    const ids = new Int32Array(input.max_length);
    encodeText(input, vocabIndex(input), '东京天气', ids);
    const id = vocabIndex(input);
    expect([...ids].filter((i) => i !== 0)).toEqual([id.get('东京'), id.get('天气')]);
  });

  it('encodes to the longest training text when every text is shorter than max_length', () => {
    expect(buildTextInput(['one two three four five', 'one'], 100, 200).max_length).toBe(5);
    expect(buildTextInput(['one two three four five', 'one'], 100, 4).max_length).toBe(4);
    // Never under MIN_TEXT_LENGTH: tfjs's recurrent layers cannot train on one-step sequences.
    expect(buildTextInput(['one', 'two'], 100, 200).max_length).toBe(MIN_TEXT_LENGTH);
  });

  it("fills the vocabulary's free slots with word vectors' words, training words first", () => {
    const extra = ['the', ',', 'movie', 'good', 'bad', 'plot'];
    const input = buildTextInput(['good good movie', 'awful'], 7, 200, undefined, extra);
    // Training words by count, then the vectors' words in their order; punctuation skipped; 7 − 2 ids.
    expect(input.vocab).toEqual(['good', 'awful', 'movie', 'the', 'bad']);
    const ids = new Int32Array(4);
    encodeText(input, vocabIndex(input), 'a bad plot', ids);
    // "bad" was never in a training text, yet has its own id (its vector's row); "plot" did not fit.
    expect(Array.from(ids)).toEqual([0, 1, 6, 1]);
  });
});
