import { readNumber } from '@trainyard/shared';

/**
 * Sniffing a CSV's dialect from a sample of its text, in the shape of Python's `csv.Sniffer`: the
 * delimiter whose split gives the header's field count on the most lines (quoted fields kept
 * whole), the quote character, and the decimal mark from the cells that read as a number with
 * one mark but not the other. Our own: the npm sniffers are unmaintained (`csv-sniffer`, last
 * published 2017) or guess only the delimiter (Papa Parse's `guessDelimiter`, inside a parser we
 * would not otherwise use), and none reads the decimal mark.
 */

/** The delimiters tried, in order of preference when two fit equally well. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;

export interface CsvDialect {
  readonly delimiter: string;
  readonly quote: string;
  readonly decimal: '.' | ',';
}

/** Records sniffed per candidate delimiter. */
const SAMPLE_RECORDS = 200;

/**
 * The records of `text` split RFC 4180-style: fields parted by `delimiter`, a field starting with
 * `quote` runs to the next lone quote (doubled quotes are one; delimiters and line breaks inside
 * are kept), records end at `\n` or `\r\n`. Blank lines are skipped. At most `max` records.
 */
export function splitRecords(
  text: string,
  delimiter: string,
  quote: string,
  max = Number.POSITIVE_INFINITY,
): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let atFieldStart = true;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') records.push(fields);
    fields = [];
    field = '';
    atFieldStart = true;
  };
  for (let i = 0; i < text.length && records.length < max; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== quote) field += c;
      else if (text[i + 1] === quote) {
        field += quote;
        i++;
      } else quoted = false;
    } else if (c === quote && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
      atFieldStart = true;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      endRecord();
    } else {
      field += c;
      atFieldStart = false;
    }
  }
  if (records.length < max && (field !== '' || fields.length > 0)) endRecord();
  return records;
}

/** `'` quotes only when it wraps whole fields more often than `"` opens one. */
function sniffQuote(sample: string): string {
  const double = sample.match(/(?:^|[,;\t|])[ ]*"/gm)?.length ?? 0;
  const single = sample.match(/(?:^|[,;\t|])[ ]*'[^'\r\n]*'[ ]*(?=[,;\t|]|\r?$)/gm)?.length ?? 0;
  return single > double ? "'" : '"';
}

/** How well `delimiter` splits the sample: the share of rows with the header's field count. */
function fit(records: string[][]): number {
  const header = records[0]?.length ?? 0;
  if (header < 2) return 0;
  const rows = records.slice(1);
  if (rows.length === 0) return 0.5; // a header alone: it splits, nothing confirms it
  return rows.filter((r) => r.length === header).length / rows.length;
}

/**
 * The decimal mark the cells of `rows` use: `","` when more cells read as a number only with a
 * decimal comma (`5,2`, `1.234,5`) than only with a decimal point (`3.7`, `1,234.5`). Cells that
 * read either way (`52,000`, `1.234`) or neither say nothing.
 */
export function sniffDecimal(rows: readonly (readonly string[])[]): '.' | ',' {
  let comma = 0;
  let point = 0;
  for (const row of rows) {
    for (const cell of row) {
      if (!/\d[.,]|[.,]\d/.test(cell)) continue;
      const withPoint = readNumber(cell, { decimal: '.' });
      const withComma = readNumber(cell, { decimal: ',' });
      if (withComma && !withPoint) comma++;
      else if (withPoint && !withComma) point++;
    }
  }
  return comma > point ? ',' : '.';
}

export interface SniffOptions {
  /** Given by the user: used as is. */
  readonly delimiter?: string | undefined;
  readonly decimal?: '.' | ',' | undefined;
  /** The sample stops inside the file: its last record may be cut, and is not counted. */
  readonly truncated: boolean;
}

/**
 * The dialect of a CSV from the start of its text (a BOM already removed). A file with one column
 * (no candidate splits its header) is read with `,`.
 */
export function sniffDialect(sample: string, options: SniffOptions): CsvDialect {
  const quote = sniffQuote(sample);
  const sampled = (delimiter: string) => {
    const records = splitRecords(sample, delimiter, quote, SAMPLE_RECORDS + 1);
    return options.truncated && records.length > 2 ? records.slice(0, -1) : records;
  };
  let delimiter = options.delimiter;
  if (delimiter === undefined) {
    let best = 0;
    delimiter = ',';
    for (const candidate of DELIMITERS) {
      const score = fit(sampled(candidate));
      if (score > best) {
        best = score;
        delimiter = candidate;
      }
    }
  }
  const decimal = options.decimal ?? sniffDecimal(sampled(delimiter).slice(1));
  return { delimiter, quote, decimal };
}

/** How a delimiter is named in messages: `","`, `";"`, `tab`, `"|"`. */
export function delimiterName(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : JSON.stringify(delimiter);
}
