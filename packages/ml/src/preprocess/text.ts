import type { TextInput } from '@trainyard/shared';

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'_-]*/gu;

export function tokenize(text: string, lowercase: boolean): string[] {
  return (lowercase ? text.toLowerCase() : text).match(WORD) ?? [];
}

/** The vocabulary: the `size − 2` most frequent words of the training texts (ties by word). */
export function buildTextInput(
  texts: Iterable<string>,
  size: number,
  maxLength: number,
): TextInput {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const word of tokenize(text, true)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const vocab = [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, size - 2)
    .map(([w]) => w);
  return { kind: 'text', lowercase: true, vocab, max_length: maxLength };
}

/** Token ids of one text into `out` at `offset`: the first `max_length` words, padded in front with 0. */
export function encodeText(
  input: TextInput,
  index: Map<string, number>,
  text: string,
  out: Int32Array,
  offset = 0,
): void {
  const words = tokenize(text, input.lowercase).slice(0, input.max_length);
  const pad = input.max_length - words.length;
  out.fill(0, offset, offset + pad);
  for (let i = 0; i < words.length; i++) out[offset + pad + i] = index.get(words[i]!) ?? 1;
}

/** word → id, built once per model. */
export function vocabIndex(input: TextInput): Map<string, number> {
  return new Map(input.vocab.map((w, i) => [w, i + 2]));
}
