import { keys } from '@trainyard/shared';
import { checkClasses } from './class-checks';
import { DuplicateCounter } from './duplicates';
import { bomEncoding, peek, toUtf8 } from './encoding';
import { checkLabelSpellings, normalizeLabel, relabelShards } from './labels';
import { LengthHistogram } from './length-histogram';
import { utf8Lines } from './lines';
import { ShardWriter } from './shards';
import { Summary } from './summary';
import type { ValidationContext, ValidationResult } from './validation';

/** What a JSON value is, for a message: `nothing`, `null`, `an array`, `a number`, …. */
function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Texts shorter than this (trimmed) get a "near-empty" warning. */
const NEAR_EMPTY = 3;

/**
 * `jsonl` for text classification: one `{"text": …, "label": …}` object a line. Streams the file
 * line by line; every problem names its line.
 */
export async function validateJsonl(ctx: ValidationContext): Promise<ValidationResult> {
  const { storage, dataset, report, limits, size } = ctx;
  const raw = ctx.source ?? (await storage.getStream(keys.datasetRaw(dataset.id)));
  // UTF-16 with a byte-order mark (Windows' "Unicode" text) is read as the CSV reader reads it;
  // any other file must be UTF-8 (utf8Lines names the first bad byte).
  const { head, stream } = await peek(raw, 2);
  const encoding = bomEncoding(head);
  const source = encoding ? toUtf8(stream, encoding) : stream;
  const shards = new ShardWriter(
    storage,
    dataset.id,
    'texts',
    'jsonl',
    limits.shardBytes,
    'application/x-ndjson',
  );
  const classes = new Map<string, number>();
  const lengths = new Summary();
  const histogram = new LengthHistogram();
  const duplicates = new DuplicateCounter();
  for await (const { text: record, line } of utf8Lines(source, limits.lineChars)) {
    const where = `line ${line}`;
    if (!record.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(record);
    } catch (error) {
      report.error(
        'invalid_json',
        `${where}: not valid JSON (${(error as Error).message}); expected {"text": "...", "label": "..."}`,
        where,
      );
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      report.error(
        'invalid_record',
        `${where}: expected an object {"text": "...", "label": "..."}; received ${kindOf(value)}`,
        where,
      );
      continue;
    }
    const { text, label } = value as { text?: unknown; label?: unknown };
    if (typeof text !== 'string') {
      report.error(
        'missing_text',
        `${where}: "text" must be a string; received ${kindOf(text)}`,
        where,
      );
      continue;
    }
    const name =
      typeof label === 'number' && Number.isFinite(label)
        ? String(label)
        : typeof label === 'string'
          ? normalizeLabel(label)
          : '';
    if (!name) {
      report.error(
        'empty_label',
        `${where}: "label" must be a non-empty string or a number; received ${JSON.stringify(label ?? null)}`,
        where,
      );
      continue;
    }
    if (text.trim().length < NEAR_EMPTY) {
      report.warn(
        'near_empty_text',
        `${where}: the text has ${text.trim().length} characters${text.trim() ? '' : ' and was skipped'}`,
        where,
      );
      if (!text.trim()) continue;
    }
    if (duplicates.add(`${name}\u0000${text}`))
      report.warn('duplicate', `${where} repeats an earlier example exactly`, where);
    classes.set(name, (classes.get(name) ?? 0) + 1);
    lengths.add(text.length);
    histogram.add(text.length);
    shards.addJsonLine(JSON.stringify({ text, label: name }), line);
    if (shards.full) await shards.flush();
  }
  await shards.flush();
  const merged = checkLabelSpellings(classes, report, dataset.merge_near_duplicate_labels === true);
  const written =
    merged.size && !report.hasErrors
      ? await relabelShards(storage, shards.shards, merged, 'label')
      : shards.shards;
  checkClasses(classes, report);
  const examples = lengths.count;
  const stats = {
    examples,
    classes: Object.fromEntries([...classes].sort(([a], [b]) => a.localeCompare(b))),
    text_length: { ...lengths.toJSON(), histogram: histogram.toJSON() },
    duplicates: duplicates.duplicates,
    bytes: size,
  };
  if (report.hasErrors) return { stats, manifest: undefined };
  return {
    stats,
    manifest: {
      version: 1,
      kind: 'texts',
      examples,
      classes: [...classes.keys()].sort(),
      shards: written,
    },
  };
}
