import type { TextInput, TextTokenizer } from '@trainyard/shared';

/** The first models' tokenizer: runs of letters and digits (with inner `'`, `_`, `-`). */
const WORD = /[\p{L}\p{N}][\p{L}\p{N}'_-]*/gu;
/** An emoji segment (ICU does not count emoji as word-like). */
const EMOJI = /\p{Extended_Pictographic}/u;
/** Skin-tone modifiers and the emoji presentation selector: 👍🏽 and 👍 are one token. */
const EMOJI_VARIANT = /\p{Emoji_Modifier}|\uFE0F/gu;

/**
 * The tokenizer new models are trained with. ICU finds word boundaries in Chinese, Japanese, Thai,
 * Khmer, Lao and Burmese with its dictionaries whatever the locale, and no locale but the POSIX
 * variant tailors its word rules, so the language of the data need not be detected. The locale is
 * fixed (`en`: the root rules) rather than left to the host (`und` resolves to the host's default
 * locale), so a model's tokens are the same on every machine. NFKC folds full-width letters and
 * digits (`ＡＢＣ１`), ligatures and compatibility forms into the plain spellings people type.
 */
export const DEFAULT_TOKENIZER: TextTokenizer = {
  type: 'intl_segmenter',
  locale: 'en',
  normalization: 'NFKC',
};

const segmenters = new Map<string, Intl.Segmenter>();

function segmenter(locale: string): Intl.Segmenter {
  let found = segmenters.get(locale);
  if (!found) {
    found = new Intl.Segmenter(locale, { granularity: 'word' });
    segmenters.set(locale, found);
  }
  return found;
}

/**
 * The words of `text`, as training and inference both see them.
 *
 * - `tokenizer` absent or `{type: "regex"}`: runs of letters and digits (models trained before the
 *   segmenter keep it, so they predict as they did).
 * - `{type: "intl_segmenter", locale, normalization}`: the text is Unicode-normalized, cut at
 *   `Intl.Segmenter` word boundaries, and the word-like segments are kept: words in any script
 *   (新闻, 東京, ภาษา, don't) and numbers (`28`, `3.14`: a year, a price or a model number can
 *   matter). Emoji are kept too, without skin-tone modifiers (😍 and 👎 carry sentiment); spaces
 *   and punctuation are dropped.
 *
 * `lowercase` lower-cases with `String#toLowerCase` (locale-independent: Turkish `I` is `i`).
 * The segmenter stops after `limit` words (default: all); the regex tokenizer always reads all.
 */
export function tokenize(
  text: string,
  lowercase: boolean,
  tokenizer?: TextTokenizer,
  limit = Number.POSITIVE_INFINITY,
): string[] {
  if (!tokenizer || tokenizer.type === 'regex')
    return (lowercase ? text.toLowerCase() : text).match(WORD) ?? [];
  const normalized = text.normalize(tokenizer.normalization);
  const cased = lowercase ? normalized.toLowerCase() : normalized;
  const words: string[] = [];
  for (const { segment, isWordLike } of segmenter(tokenizer.locale).segment(cased)) {
    if (isWordLike) words.push(segment);
    else if (EMOJI.test(segment)) words.push(segment.replace(EMOJI_VARIANT, ''));
    if (words.length >= limit) break;
  }
  return words;
}

/**
 * The fewest ids a text is encoded to: the least `max_length` the API takes. tfjs's recurrent
 * layers fail to take gradients through a one-step sequence (a dataset of one-word texts).
 */
export const MIN_TEXT_LENGTH = 4;

/** A word the tokenizer can produce: it has a letter or a digit (word vectors also list ",", "."). */
const WORDLIKE = /[\p{L}\p{N}]/u;

/**
 * The text input of a new model: the vocabulary is the `size − 2` most frequent words of the
 * training texts (ties by word), cut by `tokenizer` (default `DEFAULT_TOKENIZER`) and lower-cased.
 * With `extraWords` (the words of pretrained vectors, most frequent first), the slots the training
 * texts leave free are filled with them, in their order: a word the job never saw in training
 * then still has its vector at inference, instead of the unknown-word id.
 * Texts are encoded to `maxLength` ids, or to the word count of the longest training text when
 * every one is shorter: padding a 10-word text to 200 steps made a recurrent layer run 20× the
 * steps for nothing (case 14's 120 sentences: minutes instead of seconds on wasm), and no
 * training text is cut that `maxLength` would not cut. Never fewer than `MIN_TEXT_LENGTH` ids.
 */
export function buildTextInput(
  texts: Iterable<string>,
  size: number,
  maxLength: number,
  tokenizer: TextTokenizer = DEFAULT_TOKENIZER,
  extraWords: readonly string[] = [],
): TextInput {
  const counts = new Map<string, number>();
  let longest = MIN_TEXT_LENGTH;
  for (const text of texts) {
    const words = tokenize(text, true, tokenizer);
    longest = Math.max(longest, words.length);
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const vocab = [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, size - 2)
    .map(([w]) => w);
  const known = new Set(vocab);
  for (const word of extraWords) {
    if (vocab.length >= size - 2) break;
    if (known.has(word) || !WORDLIKE.test(word)) continue;
    known.add(word);
    vocab.push(word);
  }
  return {
    kind: 'text',
    lowercase: true,
    vocab,
    max_length: Math.min(maxLength, longest),
    tokenizer,
  };
}

/** Token ids of one text into `out` at `offset`: the first `max_length` words, padded in front with 0. */
export function encodeText(
  input: TextInput,
  index: Map<string, number>,
  text: string,
  out: Int32Array,
  offset = 0,
): void {
  const words = tokenize(text, input.lowercase, input.tokenizer, input.max_length).slice(
    0,
    input.max_length,
  );
  const pad = input.max_length - words.length;
  out.fill(0, offset, offset + pad);
  for (let i = 0; i < words.length; i++) out[offset + pad + i] = index.get(words[i]!) ?? 1;
}

/** word → id, built once per model. */
export function vocabIndex(input: TextInput): Map<string, number> {
  return new Map(input.vocab.map((w, i) => [w, i + 2]));
}
