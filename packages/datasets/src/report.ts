import {
  type DatasetReport,
  type DatasetStats,
  type ErrorKind,
  type ReportIssue,
  TrainyardError,
} from '@trainyard/shared';

/**
 * Thrown to stop validation at once (an archive that is hostile, a file that is not a CSV, …);
 * the validator reports it as the report's error `code` at `where` (a file, a line).
 */
export class FatalDatasetError extends TrainyardError {
  override readonly kind: ErrorKind = 'unprocessable';
  override readonly code: string;
  constructor(
    code: string,
    message: string,
    readonly where?: string,
  ) {
    super(message);
    this.code = code;
  }
}

class IssueList {
  readonly items: ReportIssue[] = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly perCode: number) {}

  add(issue: ReportIssue): void {
    const n = (this.counts.get(issue.code) ?? 0) + 1;
    this.counts.set(issue.code, n);
    if (n <= this.perCode) this.items.push(issue);
  }

  /** The listed issues, then one line per code that had more than were listed. */
  build(): ReportIssue[] {
    const more = [...this.counts]
      .filter(([, n]) => n > this.perCode)
      .map(([code, n]) => ({ code, message: `${n - this.perCode} more not listed (${n} in all)` }));
    return [...this.items, ...more];
  }
}

/**
 * Collects errors and warnings. Each code lists its first `perCode` occurrences, then one summary
 * line with the count, so a file with a million bad rows still gets a short report.
 */
export class ReportBuilder {
  private readonly errors: IssueList;
  private readonly warnings: IssueList;

  constructor(perCode: number) {
    this.errors = new IssueList(perCode);
    this.warnings = new IssueList(perCode);
  }

  error(code: string, message: string, where?: string): void {
    this.errors.add({ code, message, ...(where ? { where } : {}) });
  }

  warn(code: string, message: string, where?: string): void {
    this.warnings.add({ code, message, ...(where ? { where } : {}) });
  }

  get hasErrors(): boolean {
    return this.errors.items.length > 0;
  }

  build(stats: DatasetStats | null): DatasetReport {
    return { errors: this.errors.build(), warnings: this.warnings.build(), stats };
  }
}
