import type { ExamplePrediction, ExampleReference, Preprocess } from '@trainyard/shared';
import type { RawDataset } from '../data/raw';
import { argmax } from './argmax';
import type { Evaluation } from './evaluate';

/** Longest text an `ExampleReference` repeats; longer ones are cut and end with "…". */
export const REFERENCE_TEXT_CHARS = 200;

/**
 * Where example `i` of `raw` came from in the upload: `{path}` (images), `{row}` (tables: the
 * 1-based line number in the CSV), `{line, text}` (texts, the text cut at
 * `REFERENCE_TEXT_CHARS`); null when the dataset was validated before references were kept.
 */
export function exampleReference(raw: RawDataset, i: number): ExampleReference {
  const at = raw.references?.[i] ?? null;
  if (at === null) return null;
  if (raw.kind === 'images') return { path: String(at) };
  if (raw.kind === 'table') return { row: Number(at) };
  const text = raw.texts[i]!;
  // Array.from cuts on code points, never inside a surrogate pair.
  const chars = Array.from(text);
  return {
    line: Number(at),
    text:
      chars.length > REFERENCE_TEXT_CHARS
        ? `${chars.slice(0, REFERENCE_TEXT_CHARS - 1).join('')}…`
        : text,
  };
}

/**
 * One `ExamplePrediction` per evaluated example, in evaluation order: its reference, true and
 * predicted label with every class's score (classification), or true and predicted value in the
 * target's units (regression: the output de-standardized with `pre.target`). `truth[i]` is the
 * class index or the raw target of `evaluation.outputs[i]`; `references[i]` its reference.
 */
export function examplePredictions(
  evaluation: Evaluation,
  truth: ArrayLike<number>,
  pre: Preprocess,
  references: readonly ExampleReference[],
): ExamplePrediction[] {
  return evaluation.outputs.map((row, i) => {
    const reference = references[i] ?? null;
    if (pre.labels) {
      return {
        index: i,
        reference,
        true_label: pre.labels[truth[i]!]!,
        predicted_label: pre.labels[argmax(row)]!,
        scores: Array.from(row),
        true_value: null,
        predicted_value: null,
      };
    }
    const { mean, std } = pre.target!;
    return {
      index: i,
      reference,
      true_label: null,
      predicted_label: null,
      scores: null,
      true_value: truth[i]!,
      predicted_value: row[0]! * std + mean,
    };
  });
}
