import {
  isInfiniteCell,
  isPlainReading,
  type NumberFormat,
  type NumberReading,
  type ReadNumberOptions,
  readNumber,
  type TableColumn,
} from '@trainyard/shared';
import { isMissing } from './csv-values';
import { Summary } from './summary';

/**
 * A column is numeric when at least this share of its non-missing cells read as numbers of the
 * column (`readNumber`, with the column's unit if it has one); the other cells are then missing
 * values, named in a warning. Below it the column is categorical.
 */
export /**
 * Share of a non-number cell's non-space characters that must be digits for it to count as
 * number-like: `A-1001` (0.67), `12-14` (0.8), `55 kg` (0.5) are; `none #3` (0.17) and
 * `follow-up in 3 months` (0.05), text that mentions a number, are not.
 */
const NUMBER_LIKE_DIGIT_SHARE = 0.4;

/** Whether a cell that is not a number still looks like one (see `NUMBER_LIKE_DIGIT_SHARE`). */
function numberLike(text: string): boolean {
  const chars = text.replace(/\s+/g, '');
  const digits = chars.replace(/\D+/g, '').length;
  return digits > 0 && digits >= NUMBER_LIKE_DIGIT_SHARE * chars.length;
}
const NUMERIC_SHARE = 0.95;
/** A unit (`kg`, `EUR`) belongs to the column when at least this share of its non-missing cells carry it. */
export const UNIT_SHARE = 0.5;
/** A text column with this many distinct values or more, mostly digits, gets a warning. */
const NUMERIC_LOOKING_DISTINCT = 10;
/** Distinct values counted per column before counting stops (memory bound). */
export const MAX_DISTINCT = 1000;
/** Units told apart per column (memory bound); cells with more units are not numbers. */
const MAX_UNITS = 8;
/** Example cells kept per kind for messages. */
const EXAMPLES = 3;

interface Example {
  readonly text: string;
  readonly where: string;
}

const quoted = (e: Example) => `${e.where} ${JSON.stringify(e.text.slice(0, 40))}`;

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** The numbers of one column written with one unit ('' = none). */
class UnitTally {
  readonly numbers = new Summary();
  readonly thousands = new Map<string, number>();
  readonly currency = new Map<string, number>();
  percent = 0;
  parentheses = 0;
  decimalComma = 0;
  /** Cells that were not bare numbers. */
  converted = 0;
  readonly conversions: Array<Example & { value: number }> = [];
  /** The first cells, for the message when this unit is not the column's. */
  readonly firsts: Example[] = [];

  add(reading: NumberReading, text: string, where: string, decimal: '.' | ','): void {
    this.numbers.add(reading.value);
    if (this.firsts.length < EXAMPLES) this.firsts.push({ text, where });
    const comma = decimal === ',' && text.includes(',');
    if (isPlainReading(reading) && !comma) return;
    this.converted++;
    if (this.conversions.length < EXAMPLES)
      this.conversions.push({ text, where, value: reading.value });
    if (reading.thousands !== undefined) bump(this.thousands, reading.thousands);
    if (reading.currency !== undefined) bump(this.currency, reading.currency);
    if (reading.percent) this.percent++;
    if (reading.parentheses) this.parentheses++;
    if (comma) this.decimalComma++;
  }
}

/** A warning about a column, for the report. */
export interface ColumnIssue {
  readonly code: string;
  readonly message: string;
}

/**
 * One column's cells as they stream by: missing values, numbers by unit, distinct values. At the
 * end `column` says whether the column is numeric, with the format its numbers were written in.
 */
export class ColumnTally {
  missing = 0;
  private notNumbers = 0;
  /**
   * Cells that are not numbers but look like one with something around it (`A-1001`, `12-14`,
   * `55 kg`): mostly digits (`numberLike`). Free text that mentions a number (`follow-up in 3
   * months`, `none #3`) is text, and does not make a column look numeric.
   */
  private digitCells = 0;
  private readonly notNumberExamples: Example[] = [];
  /** Cells that write an infinity: missing in a numeric column, categories in a text one. */
  private readonly infinite = new Map<string, number>();
  private readonly infiniteExamples: Example[] = [];
  private readonly units = new Map<string, UnitTally>();
  readonly values = new Map<string, number>();

  constructor(private readonly options: ReadNumberOptions) {}

  /** Counts a cell; returns what the row stores: null (missing), a bare number, else the trimmed text. */
  add(cell: string, where: string): string | number | null {
    if (isMissing(cell)) {
      this.missing++;
      return null;
    }
    const text = cell.trim();
    if (isInfiniteCell(text)) {
      bump(this.infinite, text);
      if (this.infiniteExamples.length < EXAMPLES) this.infiniteExamples.push({ text, where });
      return text;
    }
    const reading = readNumber(text, this.options);
    let tally = reading ? this.units.get(reading.unit ?? '') : undefined;
    if (reading && !tally && this.units.size < MAX_UNITS) {
      tally = new UnitTally();
      this.units.set(reading.unit ?? '', tally);
    }
    if (!reading || !tally) {
      this.notNumbers++;
      if (numberLike(text)) this.digitCells++;
      if (this.notNumberExamples.length < EXAMPLES) this.notNumberExamples.push({ text, where });
      this.count(text);
      return text;
    }
    tally.add(reading, text, where, this.options.decimal);
    // Bare numbers are stored as numbers; written forms as text, read by the column's format
    // (the same code then reads them in training and at inference).
    const bare = isPlainReading(reading);
    this.count(bare ? String(reading.value) : text);
    return bare ? reading.value : text;
  }

  private count(value: string): void {
    if (this.values.has(value) || this.values.size < MAX_DISTINCT)
      this.values.set(value, (this.values.get(value) ?? 0) + 1);
  }

  /**
   * The column's type and statistics, the warnings about its cells (`numbers_converted`,
   * `non_numeric_cells`, `infinite_values`, `numeric_looking_text`; none when `quiet`), and the grouping separators
   * its numbers used.
   */
  column(
    name: string,
    quiet = false,
  ): { column: TableColumn; issues: ColumnIssue[]; thousands: Map<string, number> } {
    const thousands = new Map<string, number>();
    const issues: ColumnIssue[] = [];
    let numbers = 0;
    for (const t of this.units.values()) numbers += t.numbers.count;
    // Infinities take no part in the choice of type, as missing cells do.
    let infinite = 0;
    for (const n of this.infinite.values()) infinite += n;
    const present = numbers + this.notNumbers;
    if (present === 0)
      return {
        column: { name, type: 'empty', missing: this.missing + infinite },
        issues,
        thousands,
      };
    let unit: string | undefined;
    for (const [key, t] of this.units) {
      if (key && t.numbers.count >= UNIT_SHARE * present) unit = key;
    }
    const accepted = [
      this.units.get(''),
      unit === undefined ? undefined : this.units.get(unit),
    ].filter((t): t is UnitTally => t !== undefined);
    const parsed = accepted.reduce((n, t) => n + t.numbers.count, 0);
    const label = JSON.stringify(name);
    if (parsed === 0 || parsed < NUMERIC_SHARE * present) {
      const values = new Map(this.values);
      for (const [k, n] of this.infinite) values.set(k, (values.get(k) ?? 0) + n);
      const categories = [...values]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([v]) => v);
      const digits = numbers + this.digitCells;
      if (!quiet && digits >= 0.5 * present && this.values.size >= NUMERIC_LOOKING_DISTINCT) {
        const examples = [...this.notNumberExamples];
        for (const [key, t] of this.units) if (key && key !== unit) examples.push(...t.firsts);
        issues.push({
          code: 'numeric_looking_text',
          message: `Column ${label} looks numeric (${digits} of ${present} cells hold digits) but only ${parsed} read as numbers${unit ? ` in ${JSON.stringify(unit)}` : ''}, fewer than ${NUMERIC_SHARE * 100}%: it is read as text (categorical, ${this.values.size >= MAX_DISTINCT ? `${MAX_DISTINCT}+` : this.values.size} distinct values); cells such as ${examples.slice(0, EXAMPLES).map(quoted).join(', ')} are not numbers. An identifier column is best left out of the file; numbers with mixed units or notes should be written as plain numbers`,
        });
      }
      return {
        column: { name, type: 'categorical', missing: this.missing, categories },
        issues,
        thousands,
      };
    }
    const summary = new Summary();
    const currency = new Set<string>();
    let percent = false;
    let parentheses = false;
    let converted = 0;
    let decimalComma = 0;
    const conversions: Array<Example & { value: number }> = [];
    for (const t of accepted) {
      summary.merge(t.numbers);
      for (const [k, n] of t.thousands) thousands.set(k, (thousands.get(k) ?? 0) + n);
      for (const k of t.currency.keys()) currency.add(k);
      percent ||= t.percent > 0;
      parentheses ||= t.parentheses > 0;
      converted += t.converted;
      decimalComma += t.decimalComma;
      conversions.push(...t.conversions);
    }
    const format: NumberFormat = {
      decimal: this.options.decimal,
      ...(thousands.size ? { thousands: [...thousands.keys()] } : {}),
      ...(currency.size ? { currency: [...currency] } : {}),
      ...(unit !== undefined ? { unit } : {}),
      ...(percent ? { percent } : {}),
      ...(parentheses ? { parentheses } : {}),
    };
    const unparsed = present - parsed;
    if (!quiet && converted > 0) {
      const removed = [
        ...(thousands.size
          ? [
              `the thousands separator ${[...thousands.keys()].map((k) => JSON.stringify(k)).join(' and ')}`,
            ]
          : []),
        ...(currency.size
          ? [`the currency symbol ${[...currency].map((k) => JSON.stringify(k)).join(' and ')}`]
          : []),
        ...(unit !== undefined ? [`the unit ${JSON.stringify(unit)}`] : []),
        ...(percent ? ['"%" (divided by 100)'] : []),
        ...(parentheses ? ['the parentheses of negative numbers'] : []),
      ];
      const how = [
        ...(removed.length ? [`after removing ${removed.join(', ')}`] : []),
        ...(decimalComma ? ['with "," as the decimal mark'] : []),
      ];
      issues.push({
        code: 'numbers_converted',
        message: `Column ${label}: ${converted} cell${converted > 1 ? 's' : ''} read as numbers ${how.join(' and ')}; e.g. ${conversions
          .slice(0, EXAMPLES)
          .map((e) => `${quoted(e)} → ${e.value}`)
          .join(', ')}`,
      });
    }
    if (!quiet && unparsed > 0) {
      const examples = [...this.notNumberExamples];
      for (const [key, t] of this.units) if (key !== '' && key !== unit) examples.push(...t.firsts);
      issues.push({
        code: 'non_numeric_cells',
        message: `Column ${label} is numeric (${parsed} of ${present} cells are numbers${unit ? ` in ${JSON.stringify(unit)}` : ''}); ${unparsed} cell${unparsed > 1 ? 's' : ''} that ${unparsed > 1 ? 'are' : 'is'} not a number ${unparsed > 1 ? 'are' : 'is'} read as missing: ${examples.slice(0, EXAMPLES).map(quoted).join(', ')}`,
      });
    }
    if (!quiet && infinite > 0)
      issues.push({
        code: 'infinite_values',
        message: `Column ${label} is numeric; ${infinite} cell${infinite > 1 ? 's' : ''} that write${infinite > 1 ? '' : 's'} an infinity ${infinite > 1 ? 'are' : 'is'} read as missing, as NaN is: ${this.infiniteExamples.map(quoted).join(', ')}`,
      });
    const { min, max, mean } = summary.toJSON();
    return {
      column: {
        name,
        type: 'numeric',
        missing: this.missing + unparsed + infinite,
        min,
        max,
        mean,
        std: summary.std,
        format,
      },
      issues,
      thousands,
    };
  }
}
