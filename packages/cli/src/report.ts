import type { Dataset, DatasetReport } from '@trainyard/sdk';
import { pc } from './colors';
import type { Output } from './output';

/** A dataset's validation report for people: verdict, stats, errors and warnings with where. */
export function printReport(out: Output, status: string, report: DatasetReport | null): void {
  const verdict =
    status === 'ready' ? pc.green(status) : status === 'invalid' ? pc.red(status) : status;
  out.line(`status    ${verdict}`);
  const stats = report?.stats;
  if (stats) {
    out.line(`examples  ${stats.examples}`);
    if (stats.classes) {
      const classes = Object.entries(stats.classes).map(([k, v]) => `${k} (${v})`);
      out.line(`classes   ${classes.join(', ')}`);
    }
    if (stats.columns)
      out.line(`columns   ${stats.columns.map((c) => `${c.name}:${c.type}`).join(', ')}`);
    if (stats.splits) {
      const { train, validation, test } = stats.splits;
      out.line(`splits    train ${train}, validation ${validation}, test ${test}`);
    }
    if (stats.csv) {
      const { delimiter, decimal, thousands, encoding } = stats.csv;
      const grouping = thousands ? `, thousands ${JSON.stringify(thousands)}` : '';
      out.line(
        `csv       delimiter ${JSON.stringify(delimiter)}, decimal ${JSON.stringify(decimal)}${grouping}, ${encoding}`,
      );
    }
  }
  for (const [kind, issues, color] of [
    ['error', report?.errors ?? [], pc.red],
    ['warning', report?.warnings ?? [], pc.yellow],
  ] as const) {
    for (const issue of issues) {
      out.line(
        `${color(kind)} ${issue.code}${issue.where ? ` (${issue.where})` : ''}: ${issue.message}`,
      );
    }
  }
}

/** `printReport` for a dataset. */
export const printDataset = (out: Output, dataset: Dataset) => {
  out.line(`dataset   ${dataset.id} (${dataset.name}, ${dataset.task}, ${dataset.format})`);
  printReport(out, dataset.status, dataset.report);
};
