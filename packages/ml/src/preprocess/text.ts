import { DEFAULT_TOKENIZER, tokenize } from '@trainyard/predict';
import type { TextInput, TextTokenizer } from '@trainyard/shared';

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
