import { pipeline, Readable } from 'node:stream';
import { keys, type TableColumn } from '@trainyard/shared';
import { CsvError, parse } from 'csv-parse';
import { batches } from './batches';
import { checkClasses } from './class-checks';
import { isMissing, parseNumber } from './csv-values';
import { DuplicateCounter } from './duplicates';
import { utf8Checked } from './lines';
import { FatalDatasetError } from './report';
import { ShardWriter } from './shard-writer';
import { Summary } from './summary';
import type { ValidationContext, ValidationResult } from './validation';

/** Distinct values counted per column before counting stops (memory bound). */
const MAX_DISTINCT = 1000;

class ColumnTally {
  missing = 0;
  nonNumeric = 0;
  readonly numbers = new Summary();
  readonly values = new Map<string, number>();

  add(cell: string): string | number | null {
    if (isMissing(cell)) {
      this.missing++;
      return null;
    }
    const text = cell.trim();
    const value = parseNumber(text);
    if (value === undefined) this.nonNumeric++;
    else this.numbers.add(value);
    if (this.values.has(text) || this.values.size < MAX_DISTINCT)
      this.values.set(text, (this.values.get(text) ?? 0) + 1);
    return value ?? text;
  }

  column(name: string): TableColumn {
    const present = this.numbers.count + this.nonNumeric;
    if (present === 0) return { name, type: 'empty', missing: this.missing };
    if (this.nonNumeric === 0) {
      const { min, max, mean } = this.numbers.toJSON();
      return {
        name,
        type: 'numeric',
        missing: this.missing,
        min,
        max,
        mean,
        std: this.numbers.std,
      };
    }
    const categories = [...this.values]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([v]) => v);
    return { name, type: 'categorical', missing: this.missing, categories };
  }
}

function parserError(error: unknown): FatalDatasetError {
  if (error instanceof FatalDatasetError) return error;
  if (error instanceof CsvError) {
    const line = (error as CsvError & { lines?: number }).lines;
    const where = line ? `line ${line}` : undefined;
    return new FatalDatasetError(
      'csv_malformed',
      `${where ? `${where}: ` : ''}${error.message}; expected RFC 4180 CSV`,
      where,
    );
  }
  throw error;
}

/**
 * `csv` for tabular tasks: a header row, then one example a row. Streams the file once: UTF-8 and
 * field counts checked with line numbers, column types inferred (numeric / categorical), missing
 * values counted, rows written as JSON arrays in shards for training.
 */
export async function validateCsv(ctx: ValidationContext): Promise<ValidationResult> {
  const { storage, dataset, report, limits, size } = ctx;
  const labelColumn = dataset.label_column!;
  const regression = dataset.task === 'tabular_regression';
  const source = await storage.getStream(keys.datasetRaw(dataset.id));
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: limits.lineChars,
  });
  // pipeline, not pipe: a UTF-8 error upstream must end the parser's iteration with it.
  pipeline(Readable.from(utf8Checked(source)), parser, () => {});
  const shards = new ShardWriter(
    storage,
    keys.datasetNormalized(dataset.id),
    'rows',
    'jsonl',
    limits.shardBytes,
    'application/x-ndjson',
  );
  const duplicates = new DuplicateCounter();
  const classes = new Map<string, number>();
  const label = new Summary();
  let header: string[] | undefined;
  let tallies: ColumnTally[] = [];
  let labelIndex = -1;
  let examples = 0;
  try {
    for await (const batch of batches<{ record: string[]; info: { lines: number } }>(parser)) {
      if (shards.full) await shards.flush();
      for (const { record, info } of batch) {
        const where = `line ${info.lines}`;
        if (!header) {
          header = record.map((h) => h.trim());
          if (header.length > limits.columns) {
            throw new FatalDatasetError(
              'too_many_columns',
              `The header has ${header.length} columns; at most ${limits.columns} are accepted`,
              where,
            );
          }
          const seen = new Set<string>();
          for (const [i, name] of header.entries()) {
            if (!name)
              throw new FatalDatasetError(
                'empty_column_name',
                `Column ${i + 1} of the header has no name; expected a name for every column`,
                where,
              );
            if (seen.has(name))
              throw new FatalDatasetError(
                'duplicate_column',
                `Column name ${JSON.stringify(name)} appears twice in the header`,
                where,
              );
            seen.add(name);
          }
          labelIndex = header.indexOf(labelColumn);
          if (labelIndex < 0) {
            throw new FatalDatasetError(
              'label_column_missing',
              `label_column ${JSON.stringify(labelColumn)} is not in the header; the columns are ${header.map((h) => JSON.stringify(h)).join(', ')}`,
              'line 1',
            );
          }
          tallies = header.map(() => new ColumnTally());
          continue;
        }
        if (record.length !== header.length) {
          report.error(
            'wrong_field_count',
            `${where}: ${record.length} fields; expected ${header.length} (as in the header)`,
            where,
          );
          continue;
        }
        const labelCell = record[labelIndex]!;
        if (isMissing(labelCell)) {
          report.error(
            'empty_label',
            `${where}: the ${JSON.stringify(labelColumn)} (label) cell is empty; expected a label on every row`,
            where,
          );
          continue;
        }
        if (regression && parseNumber(labelCell) === undefined) {
          report.error(
            'label_not_numeric',
            `${where}: label ${JSON.stringify(labelCell.slice(0, 40))} is not a finite number; expected numbers for tabular_regression`,
            where,
          );
          continue;
        }
        const row = record.map((cell, i) => tallies[i]!.add(cell));
        if (regression) label.add(row[labelIndex] as number);
        else {
          const name = labelCell.trim();
          classes.set(name, (classes.get(name) ?? 0) + 1);
        }
        const line = JSON.stringify(row);
        if (duplicates.add(line))
          report.warn('duplicate', `${where} repeats an earlier row exactly`, where);
        shards.add(`${line}\n`, info.lines);
        examples++;
      }
    }
  } catch (error) {
    throw parserError(error);
  }
  await shards.flush();
  if (!header)
    throw new FatalDatasetError(
      'no_examples',
      'The file is empty; expected a header row and one example a row',
    );
  if (regression) {
    if (examples === 0)
      report.error(
        'no_examples',
        'No usable rows were found; expected at least one row with a numeric label',
      );
  } else {
    checkClasses(classes, report);
  }
  const columns = header.map((name, i) => tallies[i]!.column(name));
  for (const c of columns) {
    if (c.type === 'empty' && c.name !== labelColumn)
      report.warn(
        'empty_column',
        `Column ${JSON.stringify(c.name)} has no values and will be ignored`,
      );
  }
  const stats = {
    examples,
    ...(regression
      ? { label: label.toJSON() }
      : { classes: Object.fromEntries([...classes].sort(([a], [b]) => a.localeCompare(b))) }),
    columns: columns.map(({ name, type, missing, categories, min, max, mean }) => ({
      name,
      type,
      missing,
      distinct:
        type === 'numeric'
          ? Math.min(tallies[header!.indexOf(name)]!.values.size, MAX_DISTINCT)
          : (categories?.length ?? 0),
      ...(type === 'numeric' ? { numeric: { min: min!, max: max!, mean: mean! } } : {}),
    })),
    duplicates: duplicates.duplicates,
    bytes: size,
  };
  if (report.hasErrors) return { stats, manifest: undefined };
  return {
    stats,
    manifest: {
      version: 1,
      kind: 'table',
      examples,
      columns,
      label_column: labelColumn,
      ...(regression ? {} : { classes: [...classes.keys()].sort() }),
      shards: shards.shards,
    },
  };
}
