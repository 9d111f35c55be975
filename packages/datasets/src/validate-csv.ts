import { pipeline, Readable } from 'node:stream';
import { type CsvDialectStats, keys, readNumber } from '@trainyard/shared';
import { CsvError, parse } from 'csv-parse';
import { batches } from './batches';
import { checkClasses } from './class-checks';
import { ColumnTally, MAX_DISTINCT } from './csv-columns';
import {
  type CsvDialect,
  DELIMITERS,
  delimiterName,
  sniffDialect,
  splitRecords,
} from './csv-dialect';
import { isMissing } from './csv-values';
import { DuplicateCounter } from './duplicates';
import { bomEncoding, decodeText, isUtf8, peek, toUtf8 } from './encoding';
import { checkLabelSpellings, normalizeLabel, relabelShards } from './labels';
import { utf8Checked } from './lines';
import { FatalDatasetError } from './report';
import { ShardWriter } from './shards';
import { Summary } from './summary';
import type { ValidationContext, ValidationResult } from './validation';

/** Bytes read from the start of the file to sniff its dialect. */
const SAMPLE_BYTES = 64 * 1024;

const ENCODING_HINT =
  'save the file as UTF-8, or name its encoding in the dataset\'s csv.encoding, e.g. "windows-1252" for a CSV saved by Excel on Windows';

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

/** The text at the start of the file, cut after its last whole line when the file goes on. */
function sampleText(head: Buffer, whole: boolean, encoding: string): string {
  const text = decodeText(head, encoding);
  if (whole) return text;
  const end = text.lastIndexOf('\n');
  return end > 0 ? text.slice(0, end + 1) : text;
}

/**
 * A header cell as a column name: trimmed, in Unicode NFC. Names are compared in NFC everywhere
 * (the header, `label_column`, the keys of a prediction's rows), so a name typed on a keyboard
 * matches the same name saved decomposed (NFD, as macOS may write it) and the reverse.
 */
function columnName(cell: string): string {
  return cell.trim().normalize('NFC');
}

/** The error for two header cells that are one name in NFC; says when they differ only in normalization. */
function duplicateColumn(raw: readonly string[], first: number, second: number, where: string) {
  const a = raw[first]!.trim();
  const b = raw[second]!.trim();
  const how =
    a === b
      ? ''
      : ` (columns ${first + 1} and ${second + 1} differ only in Unicode normalization: one is written ${a.normalize('NFC') === a ? 'composed (NFC)' : 'decomposed (NFD)'}, the other ${b.normalize('NFC') === b ? 'composed (NFC)' : 'decomposed (NFD)'}; names are compared in NFC)`;
  return new FatalDatasetError(
    'duplicate_column',
    `Column name ${JSON.stringify(a.normalize('NFC'))} appears twice in the header${how}; expected each name once`,
    where,
  );
}

/** C0 control characters other than tab, LF and CR: never part of a value (a NUL is a broken export). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters looked for
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/** `U+0000 (NUL)` for the control character `char`. */
function controlName(char: string): string {
  const code = char.charCodeAt(0);
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}${code === 0 ? ' (NUL)' : ''}`;
}

/**
 * The first cell of `cells` holding a control character (see `CONTROL`): the message names the
 * line, the column by position and name, the character and where in the cell it is.
 */
function controlCharacter(
  cells: readonly string[],
  names: readonly string[],
  where: string,
): string | undefined {
  for (const [i, cell] of cells.entries()) {
    const at = cell.search(CONTROL);
    if (at < 0) continue;
    const name = names[i] ? ` (${JSON.stringify(names[i])})` : '';
    return `${where}, column ${i + 1}${name}: character ${at + 1} of the cell is the control character ${controlName(cell[at]!)}; expected text without control characters (tab, CR and LF aside): re-export the file, or remove the character`;
  }
  return undefined;
}

/** The error for a header without the label column, naming the delimiter and what would work. */
function labelMissing(
  labelColumn: string,
  header: readonly string[],
  dialect: CsvDialect,
  given: boolean,
  sample: string,
): FatalDatasetError {
  const fields = header.slice(0, 20).map((h) => JSON.stringify(h.slice(0, 60)));
  const others = DELIMITERS.filter(
    (d) =>
      d !== dialect.delimiter &&
      splitRecords(sample, d, dialect.quote, 1)[0]?.some((h) => columnName(h) === labelColumn),
  );
  const fix = others.length
    ? `; with delimiter ${delimiterName(others[0]!)} the header has ${JSON.stringify(labelColumn)}: set csv.delimiter to ${JSON.stringify(others[0])}`
    : '';
  return new FatalDatasetError(
    'label_column_missing',
    `label_column ${JSON.stringify(labelColumn)} is not in the header; read with delimiter ${delimiterName(dialect.delimiter)} (${given ? 'given in csv.delimiter' : 'sniffed'}), the header has ${header.length} column${header.length > 1 ? 's' : ''}: ${fields.join(', ')}${header.length > 20 ? ', …' : ''}${fix}`,
    'line 1',
  );
}

/**
 * `csv` for tabular tasks: a header row, then one example a row. Reads the start of the file to
 * sniff its dialect (delimiter, quote, decimal mark; `dataset.csv` overrides them), then streams
 * the file once: decoded from `csv.encoding` (default UTF-8, checked with line numbers), field
 * counts checked, column types inferred (numeric when ≥ 95% of the present cells are numbers as
 * people write them, else categorical), missing values counted, rows written as JSON arrays in
 * shards for training.
 */
export async function validateCsv(ctx: ValidationContext): Promise<ValidationResult> {
  const { storage, dataset, report, limits, size } = ctx;
  const options = dataset.csv ?? {};
  const labelColumn = columnName(dataset.label_column!);
  const regression = dataset.task === 'tabular_regression';
  const source = ctx.source ?? (await storage.getStream(keys.datasetRaw(dataset.id)));
  const { head, whole, stream } = await peek(source, SAMPLE_BYTES);
  const encoding = options.encoding?.toLowerCase() ?? bomEncoding(head) ?? 'utf-8';
  const utf8 = isUtf8(encoding);
  const sample = sampleText(head, whole, encoding);
  const dialect = sniffDialect(sample, {
    delimiter: options.delimiter,
    // A given grouping separator says which mark is not the decimal one.
    decimal:
      options.decimal ??
      (options.thousands === ',' ? '.' : options.thousands === '.' ? ',' : undefined),
    truncated: !whole,
  });
  const numberOptions = {
    decimal: dialect.decimal,
    ...(options.thousands !== undefined
      ? { thousands: options.thousands ? [options.thousands] : [] }
      : {}),
  };
  const parser = parse({
    bom: true,
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    escape: dialect.quote,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: limits.lineChars,
  });
  const bytes = utf8 ? utf8Checked(stream, ENCODING_HINT) : toUtf8(stream, encoding);
  // pipeline, not pipe: a decoding error upstream must end the parser's iteration with it.
  pipeline(Readable.from(bytes), parser, () => {});
  const shards = new ShardWriter(
    storage,
    dataset.id,
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
  const blank: { rows: number; first?: number } = { rows: 0 };
  // Unnamed header cells (Excel's trailing `a,label,,`): dropped when empty in every row; the
  // first value one holds, by its position in the header, makes the error at the end.
  const unnamed: number[] = [];
  const unnamedValues = new Map<number, { where: string; cell: string }>();
  let named: number[] = [];
  let width = 0;
  let allNames: string[] = [];
  try {
    for await (const batch of batches<{ record: string[]; info: { lines: number } }>(parser)) {
      if (shards.full) await shards.flush();
      for (const { record: cells, info } of batch) {
        const where = `line ${info.lines}`;
        if (!header) {
          const names = cells.map(columnName);
          const control = controlCharacter(cells, [], where);
          if (control) throw new FatalDatasetError('control_character', control, where);
          if (names.length > limits.columns) {
            throw new FatalDatasetError(
              'too_many_columns',
              `The header has ${names.length} columns; at most ${limits.columns} are accepted`,
              where,
            );
          }
          if (!names.includes(labelColumn))
            throw labelMissing(
              labelColumn,
              names,
              dialect,
              options.delimiter !== undefined,
              sample,
            );
          const seen = new Map<string, number>();
          for (const [i, name] of names.entries()) {
            if (!name) {
              unnamed.push(i);
              continue;
            }
            const before = seen.get(name);
            if (before !== undefined) throw duplicateColumn(cells, before, i, where);
            seen.set(name, i);
          }
          width = names.length;
          allNames = names;
          named = [...seen.values()];
          header = names.filter((name) => name);
          labelIndex = header.indexOf(labelColumn);
          if (header.length < 2)
            throw new FatalDatasetError(
              'no_feature_columns',
              `The header has only the label column ${JSON.stringify(labelColumn)}${unnamed.length ? ` and ${unnamed.length} unnamed column${unnamed.length > 1 ? 's' : ''}` : ''}; a table needs at least one feature column besides the label (a model with no inputs cannot learn)`,
              where,
            );
          tallies = header.map(() => new ColumnTally(numberOptions));
          continue;
        }
        if (cells.every((cell) => cell.trim() === '')) {
          // Excel writes `,,\r\n` rows below the data; a line of spaces is a blank line too.
          blank.rows++;
          blank.first ??= info.lines;
          continue;
        }
        const control = controlCharacter(cells, allNames, where);
        if (control) {
          report.error('control_character', control, where);
          continue;
        }
        if (cells.length !== width) {
          report.error(
            'wrong_field_count',
            `${where}: ${cells.length} fields; expected ${width} (as in the header)`,
            where,
          );
          continue;
        }
        for (const i of unnamed) {
          const cell = cells[i]!;
          if (cell.trim() && !unnamedValues.has(i)) unnamedValues.set(i, { where, cell });
        }
        const record = unnamed.length ? named.map((i) => cells[i]!) : cells;
        if (!regression) record[labelIndex] = normalizeLabel(record[labelIndex]!);
        const labelCell = record[labelIndex]!;
        if (isMissing(labelCell)) {
          report.error(
            'empty_label',
            `${where}: the ${JSON.stringify(labelColumn)} (label) cell ${labelCell.trim() ? `holds ${JSON.stringify(labelCell.trim())}, a missing value` : 'is empty'}; expected a label on every row`,
            where,
          );
          continue;
        }
        const target = regression ? readNumber(labelCell, numberOptions) : undefined;
        if (regression && (target === undefined || target.unit !== undefined)) {
          report.error(
            'label_not_numeric',
            `${where}: label ${JSON.stringify(labelCell.slice(0, 40))} is not a finite number; expected numbers for tabular_regression (labels that name classes are task tabular_classification)`,
            where,
          );
          continue;
        }
        const row = record.map((cell, i) => tallies[i]!.add(cell, where));
        if (target) {
          row[labelIndex] = target.value;
          label.add(target.value);
        } else {
          const name = labelCell.trim();
          row[labelIndex] = name; // the class name as written: `1,5` stays "1,5", never 1.5
          classes.set(name, (classes.get(name) ?? 0) + 1);
        }
        const line = JSON.stringify(row);
        if (duplicates.add(line))
          report.warn('duplicate', `${where} repeats an earlier row exactly`, where);
        shards.addJsonLine(line, info.lines);
        examples++;
      }
    }
  } catch (error) {
    throw parserError(error);
  }
  await shards.flush();
  let written = shards.shards;
  if (!header)
    throw new FatalDatasetError(
      'no_examples',
      'The file is empty; expected a header row and one example a row',
    );
  for (const [i, { where, cell }] of unnamedValues)
    report.error(
      'empty_column_name',
      `Column ${i + 1} of the header has no name but holds values (${where}: ${JSON.stringify(cell.slice(0, 40))}); expected a name for every column that holds data`,
      'line 1',
    );
  if (unnamed.length && !unnamedValues.size)
    report.warn(
      'unnamed_columns_dropped',
      `Column${unnamed.length > 1 ? 's' : ''} ${unnamed.map((i) => i + 1).join(', ')} of the header ${unnamed.length > 1 ? 'have' : 'has'} no name and no value in any row (as Excel writes trailing commas); ${unnamed.length > 1 ? 'they were' : 'it was'} dropped`,
      'line 1',
    );
  if (blank.rows)
    report.warn(
      'blank_rows',
      `${blank.rows} row${blank.rows > 1 ? 's' : ''} with only empty or blank cells (the first at line ${blank.first}) ${blank.rows > 1 ? 'were' : 'was'} skipped, as blank lines are`,
      `line ${blank.first}`,
    );
  if (regression) {
    if (examples === 0)
      report.error(
        'no_examples',
        'No usable rows were found; expected at least one row with a numeric label',
      );
  } else {
    const merged = checkLabelSpellings(
      classes,
      report,
      dataset.merge_near_duplicate_labels === true,
    );
    if (merged.size && !report.hasErrors)
      written = await relabelShards(storage, shards.shards, merged, labelIndex);
    checkClasses(classes, report);
  }
  const thousands = new Map<string, number>();
  const columns = header.map((name, i) => {
    const read = tallies[i]!.column(name, !regression && name === labelColumn);
    for (const issue of read.issues) report.warn(issue.code, issue.message);
    for (const [k, n] of read.thousands) thousands.set(k, (thousands.get(k) ?? 0) + n);
    return read.column;
  });
  for (const c of columns) {
    if (c.type === 'empty' && c.name !== labelColumn)
      report.warn(
        'empty_column',
        `Column ${JSON.stringify(c.name)} has no values and will be ignored`,
      );
  }
  const csv: CsvDialectStats = {
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    decimal: dialect.decimal,
    thousands: [...thousands].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null,
    encoding,
    sniffed: [
      ...(options.delimiter === undefined ? (['delimiter'] as const) : []),
      ...(options.decimal === undefined ? (['decimal'] as const) : []),
      ...(options.encoding === undefined ? (['encoding'] as const) : []),
    ],
  };
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
    csv,
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
      shards: written,
    },
  };
}
