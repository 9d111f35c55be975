import type { Storage } from '@trainyard/shared';
import type { ReportBuilder } from './report';
import { rewriteShardRecords, type WrittenShard } from './shards';

/**
 * A label as it is counted, stored and predicted: NFC (a macOS or copy-pasted `e` + U+0300 is
 * the same `è` the user types) without surrounding white space.
 */
export function normalizeLabel(raw: string): string {
  return raw.normalize('NFC').trim();
}

const TRAILING = /[\s\p{Terminal_Punctuation}]+$/u;

/**
 * What near-duplicate spellings of one label have in common: NFKC (full-width `ｃａｔ` is `cat`),
 * white space trimmed and runs of it made one space, trailing sentence punctuation
 * (Unicode Terminal_Punctuation: `.` `,` `!` `?` `。`…, not `#` or `+`) removed, and case folded
 * (upper then lower: `Straße`, `STRASSE` and `strasse` fall together). A label that is nothing but
 * punctuation keeps it.
 */
export function spellingKey(label: string): string {
  const spaced = label.normalize('NFKC').trim().replace(/\s+/gu, ' ');
  const stripped = spaced.replace(TRAILING, '') || spaced;
  return stripped.toUpperCase().toLowerCase();
}

/** Labels that differ only in spelling (`spellingKey`), with their counts. */
export interface SpellingGroup {
  /** The spelling a merge keeps: the most frequent one, on a tie the first seen. */
  readonly label: string;
  /** Every spelling and its count, most frequent first (ties: first seen first). */
  readonly spellings: ReadonlyArray<readonly [spelling: string, count: number]>;
}

/**
 * The groups of near-duplicate labels among `classes` (label → examples, in the order the labels
 * were first seen), in the order their first spelling was seen. Labels with no near duplicate are
 * in no group.
 */
export function nearDuplicateLabels(classes: ReadonlyMap<string, number>): SpellingGroup[] {
  const byKey = new Map<string, Array<[string, number]>>();
  for (const [label, count] of classes) {
    const key = spellingKey(label);
    const group = byKey.get(key);
    if (group) group.push([label, count]);
    else byKey.set(key, [[label, count]]);
  }
  return [...byKey.values()]
    .filter((group) => group.length > 1)
    .map((group) => {
      // Array#sort is stable: equal counts stay in first-seen order.
      const spellings = group.sort((a, b) => b[1] - a[1]);
      return { label: spellings[0]![0], spellings };
    });
}

const listed = (spellings: SpellingGroup['spellings']) =>
  spellings.map(([s, n]) => `${JSON.stringify(s)} (${n})`).join(', ');

/**
 * Finds near-duplicate labels and reports each group with its counts. Without `merge`: a
 * `near_duplicate_labels` warning per group, and nothing changes. With `merge`: each group becomes
 * its most frequent spelling in `classes` (changed in place), a `near_duplicate_labels_merged`
 * warning per group says so, and the returned map (spelling → label it became) tells the caller
 * what to rewrite in its shards; it is empty when nothing was merged.
 */
export function checkLabelSpellings(
  classes: Map<string, number>,
  report: ReportBuilder,
  merge: boolean,
): Map<string, string> {
  const merged = new Map<string, string>();
  for (const { label, spellings } of nearDuplicateLabels(classes)) {
    const total = spellings.reduce((sum, [, n]) => sum + n, 0);
    if (!merge) {
      report.warn(
        'near_duplicate_labels',
        `Labels that differ only in case, spacing, character width or trailing punctuation: ${listed(spellings)}; expected one spelling per class. Correct the file, or create the dataset with merge_near_duplicate_labels: true to merge them into ${JSON.stringify(label)}`,
        `class ${label}`,
      );
      continue;
    }
    for (const [spelling] of spellings.slice(1)) {
      merged.set(spelling, label);
      classes.delete(spelling);
    }
    classes.set(label, total);
    report.warn(
      'near_duplicate_labels_merged',
      `Merged ${listed(spellings.slice(1))} into ${JSON.stringify(label)} (${spellings[0]![1]}): ${total} examples labelled ${JSON.stringify(label)}`,
      `class ${label}`,
    );
  }
  return merged;
}

/**
 * Rewrites JSON Lines shards after labels were merged (`merged`: spelling → label, as
 * `checkLabelSpellings` returns it): in each line's value, `field` (`"label"` of a text record,
 * the label column's index in a table row) becomes the label its spelling was merged into.
 * Returns the shards with their new byte counts (same keys). Reads and writes one shard at a time.
 */
export async function relabelShards(
  storage: Storage,
  shards: readonly WrittenShard[],
  merged: ReadonlyMap<string, string>,
  field: string | number,
  contentType = 'application/x-ndjson',
): Promise<WrittenShard[]> {
  const out: WrittenShard[] = [];
  for (const shard of shards) {
    const bytes = await rewriteShardRecords<Record<string | number, unknown>>(
      storage,
      shard,
      (value) => {
        const to = merged.get(String(value[field]));
        if (to !== undefined) value[field] = to;
        return value;
      },
      contentType,
    );
    out.push({ ...shard, bytes });
  }
  return out;
}
