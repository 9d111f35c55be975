import type { NumberFormat } from '../schemas/number-format';

/** Cells that mean "no value", as spreadsheets, R and pandas write them (compared trimmed, lower-cased). */
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '-']);

/** Whether a cell means "no value": empty, `NA`, `N/A`, `NaN`, `null`, `None`, `?` or `-`. */
export function isMissingCell(cell: string): boolean {
  return MISSING.has(cell.trim().toLowerCase());
}

/** Infinities as NumPy, pandas, R and JavaScript write them (`inf`, `-Infinity`, any case). */
const INFINITE = /^[+-]?inf(inity)?$/i;

/**
 * Whether a cell is an infinity written out (`inf`, `+inf`, `-Infinity`, any case). A numeric
 * column reads it as a missing value (validation warns `infinite_values`), and so does predict.
 */
export function isInfiniteCell(cell: string): boolean {
  return INFINITE.test(cell.trim());
}

/** What reading one written number found besides the digits. */
export interface NumberReading {
  readonly value: number;
  /** The digit-grouping separator removed (`","` in `52,000`). */
  readonly thousands?: string;
  /** The currency symbol removed (`"$"`, `"€"`, `"US$"`). */
  readonly currency?: string;
  /** Letters written before (`CHF 12`) or after (`72 kg`, `12 EUR`) the number. */
  readonly unit?: string;
  /** Written with `%`: `value` is already divided by 100. */
  readonly percent?: true;
  /** Written `(1,234)`: `value` is negative. */
  readonly parentheses?: true;
}

export interface ReadNumberOptions {
  /** The decimal mark. */
  readonly decimal: '.' | ',';
  /**
   * Digit-grouping separators accepted. Default: all of `,` `.` space, no-break spaces, `'` and
   * `’` other than the decimal mark.
   */
  readonly thousands?: readonly string[];
}

const GROUPING = [',', '.', ' ', '\u00a0', '\u202f', "'", '’'];
const PLAIN = {
  '.': /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/,
  ',': /^[+-]?(?:\d+,?\d*|,\d+)(?:[eE][+-]?\d+)?$/,
};
const PLAIN_CORE = {
  '.': /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/,
  ',': /^(?:\d+,?\d*|,\d+)(?:[eE][+-]?\d+)?$/,
};
/** A currency symbol before the number, optionally with a country prefix (`US$`, `R$`). */
const CURRENCY_START = /^(?:[A-Z]{1,2})?[$€£¥₹₩₽₺₪₫₴₦¢]/u;
const CURRENCY_END = /[$€£¥₹₩₽₺₪₫₴₦¢]$/u;
/** An ISO 4217-style code before the number, as `CHF 1'234.50` (a space must follow). */
const CODE_START = /^([A-Z]{3})\s+/;
/** A unit after the number: letters, with `°`, `µ`, `/`, `²`, `³` (`kg`, `km/h`, `°C`, `m²`). */
const UNIT_END = /\s*([\p{L}°µ][\p{L}°µ/²³]{0,11})$/u;

const groupedPatterns = new Map<string, RegExp>();
function groupedPattern(separator: string, decimal: string): RegExp {
  const key = separator + decimal;
  let pattern = groupedPatterns.get(key);
  if (!pattern) {
    const g = separator.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const d = decimal === '.' ? '\\.' : ',';
    pattern = new RegExp(`^\\d{1,3}(?:${g}\\d{3})+(?:${d}\\d*)?$`);
    groupedPatterns.set(key, pattern);
  }
  return pattern;
}

/** The digits of a number without sign or decoration, as `[value, grouping separator]`. */
function readCore(
  core: string,
  decimal: '.' | ',',
  thousands: readonly string[] | undefined,
): [number, string | undefined] | undefined {
  if (PLAIN_CORE[decimal].test(core))
    return [Number(decimal === ',' ? core.replace(',', '.') : core), undefined];
  const separator = core.match(/\D/)?.[0];
  if (separator === undefined || separator === decimal) return undefined;
  if (!(thousands ?? GROUPING).includes(separator)) return undefined;
  if (!groupedPattern(separator, decimal).test(core)) return undefined;
  const digits = core.split(separator).join('');
  return [Number(decimal === ',' ? digits.replace(',', '.') : digits), separator];
}

/**
 * Reads a number as people write it in spreadsheets: `52,000`, `$12,450.00`, `45%` (0.45),
 * `1.234,5` and `€ 1 234,50` (with `decimal: ","`), `1'234.50`, `(1,234)` (-1234), `−5`, `72 kg`,
 * `1e-3`. Returns the value and what was removed, or undefined when the cell is not one number
 * (`A-1001`, `12-14`, `1,5` with `decimal: "."`, `1e400`). Units are returned, never judged: the
 * caller decides whether `kg` belongs to the column. Digit groups must be of three (`1,23` is not
 * a number); one separator per cell.
 */
export function readNumber(cell: string, options: ReadNumberOptions): NumberReading | undefined {
  let s = cell.trim();
  const { decimal, thousands } = options;
  // The common case first: a plain number, no allocation but the result.
  if (PLAIN[decimal].test(s)) {
    const value = Number(decimal === ',' ? s.replace(',', '.') : s);
    return Number.isFinite(value) ? { value } : undefined;
  }
  if (!/\d/.test(s)) return undefined;
  s = s.replace(/\u2212/g, '-');
  let parentheses = false;
  let percent = false;
  let negative = false;
  let signed = false;
  let currency: string | undefined;
  let unit: string | undefined;
  if (s.startsWith('(') && s.endsWith(')')) {
    parentheses = true;
    s = s.slice(1, -1).trim();
  }
  if (s.endsWith('%')) {
    percent = true;
    s = s.slice(0, -1).trimEnd();
  }
  const sign = () => {
    if (signed || (s[0] !== '-' && s[0] !== '+')) return;
    signed = true;
    negative = s[0] === '-';
    s = s.slice(1).trimStart();
  };
  sign();
  const symbol = CURRENCY_START.exec(s);
  if (symbol) {
    currency = symbol[0];
    s = s.slice(currency.length).trimStart();
  } else {
    const code = CODE_START.exec(s);
    if (code) {
      unit = code[1];
      s = s.slice(code[0].length);
    }
  }
  sign();
  if (!currency) {
    const end = CURRENCY_END.exec(s);
    if (end) {
      currency = end[0];
      s = s.slice(0, end.index).trimEnd();
    }
  }
  if (!unit) {
    const end = UNIT_END.exec(s);
    if (end) {
      unit = end[1];
      s = s.slice(0, end.index);
    }
  }
  if (!percent && s.endsWith('%')) {
    percent = true;
    s = s.slice(0, -1).trimEnd();
  }
  const core = readCore(s, decimal, thousands);
  if (!core || (parentheses && signed)) return undefined;
  let value = core[0];
  if (negative || parentheses) value = -value;
  // 15 significant digits drop the float noise of the division (12.3 / 100 = 0.12300000000000001).
  if (percent) value = Number((value / 100).toPrecision(15));
  if (!Number.isFinite(value)) return undefined;
  return {
    value,
    ...(core[1] !== undefined ? { thousands: core[1] } : {}),
    ...(currency ? { currency } : {}),
    ...(unit ? { unit } : {}),
    ...(percent ? { percent: true as const } : {}),
    ...(parentheses ? { parentheses: true as const } : {}),
  };
}

/** Whether a reading is a bare number: only digits, sign, the decimal mark and an exponent. */
export function isPlainReading(reading: NumberReading): boolean {
  return (
    reading.thousands === undefined &&
    reading.currency === undefined &&
    reading.unit === undefined &&
    !reading.percent &&
    !reading.parentheses
  );
}

/**
 * A numeric column's cell as training and inference read it: a number as is, a string read with
 * `readNumber` under the column's `format` (decimal mark `"."` when there is none, as models saved
 * before formats were), with only the column's own unit accepted. Returns undefined for missing
 * cells and for cells that are not a number of this column.
 */
export function parseWrittenNumber(
  cell: string | number | boolean | null | undefined,
  format: NumberFormat | undefined,
): number | undefined {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : undefined;
  if (typeof cell !== 'string' || isMissingCell(cell)) return undefined;
  const reading = readNumber(cell, { decimal: format?.decimal ?? '.' });
  if (!reading || (reading.unit !== undefined && reading.unit !== format?.unit)) return undefined;
  return reading.value;
}
