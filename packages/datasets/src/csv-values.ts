import { isMissingCell } from '@trainyard/shared';

/** Cells that mean "no value", as spreadsheets and pandas write them (see `isMissingCell`). */
export const isMissing = isMissingCell;

/**
 * A cell made safe to re-emit in a CSV that a spreadsheet may open: values starting with
 * `= + - @`, a tab or a carriage return are prefixed with `'` so they are never run as formulas
 * (OWASP "CSV injection"), then quoted as RFC 4180 requires.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
