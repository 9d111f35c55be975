import Table from 'cli-table3';
import { pc } from './colors';

/** A column of a human table: its header and how to read a cell from a row. */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => unknown;
}

/** Where commands print: human text by default, JSON (NDJSON for streams) with `--json`. */
export class Output {
  constructor(
    readonly json: boolean,
    readonly stdout: NodeJS.WriteStream = process.stdout,
    readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {}

  /** Whether live progress (bars) may be drawn: a terminal, and not `--json`. */
  get live(): boolean {
    return !this.json && Boolean(this.stdout.isTTY);
  }

  /** One JSON value on one line. */
  data(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** A note on stderr (human mode only), so stdout stays the result. */
  note(text: string): void {
    if (!this.json) this.stderr.write(`${text}\n`);
  }

  /** Rows as a table (human), or `{data:[…]}` as given (JSON). */
  table<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>, json: unknown = { data: rows }) {
    if (this.json) {
      this.data(json);
      return;
    }
    if (!rows.length) {
      this.line(pc.dim('(none)'));
      return;
    }
    const table = new Table({
      head: columns.map((c) => c.header),
      style: { head: this.stdout.isTTY ? ['cyan'] : [], border: this.stdout.isTTY ? ['grey'] : [] },
    });
    for (const row of rows) table.push(columns.map((c) => cell(c.value(row))));
    this.line(table.toString());
  }

  /** `key: value` lines (human), or the object (JSON). */
  record(fields: Record<string, unknown>, json: unknown = fields): void {
    if (this.json) {
      this.data(json);
      return;
    }
    const width = Math.max(...Object.keys(fields).map((k) => k.length));
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      this.line(`${pc.bold(key.padEnd(width))}  ${cell(value)}`);
    }
  }
}

/** A value as a table cell: numbers rounded, objects as compact JSON, null as a dash. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(4);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Unix seconds as `YYYY-MM-DD HH:MM` (local time). */
export function when(seconds: number | null | undefined): string {
  if (!seconds) return '-';
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
