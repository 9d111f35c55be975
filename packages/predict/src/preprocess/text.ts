import type { TextInput, TextTokenizer } from '@trainyard/shared/portable';

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
