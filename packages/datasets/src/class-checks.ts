import type { ReportBuilder } from './report';

/** Below this many examples a class is "small" (a warning: the model may not learn it). */
export const FEW_EXAMPLES = 10;
/** Largest / smallest class above this is "imbalanced" (a warning). */
export const IMBALANCE_RATIO = 10;

/**
 * The checks every classification dataset gets: no examples and a single class are errors (there
 * is nothing to learn); small classes and imbalance are warnings.
 */
export function checkClasses(classes: Map<string, number>, report: ReportBuilder): void {
  const total = [...classes.values()].reduce((a, b) => a + b, 0);
  if (total === 0) {
    report.error(
      'no_examples',
      'No usable examples were found; expected at least one example in each of two classes',
    );
    return;
  }
  if (classes.size < 2) {
    report.error(
      'single_class',
      `Only one class (${JSON.stringify([...classes.keys()][0])}) was found; expected at least two classes to tell apart`,
    );
    return;
  }
  for (const [name, count] of classes) {
    if (count < FEW_EXAMPLES) {
      report.warn(
        'few_examples',
        `Class ${JSON.stringify(name)} has ${count} example${count === 1 ? '' : 's'}; ${FEW_EXAMPLES} or more are advisable`,
        `class ${name}`,
      );
    }
  }
  const counts = [...classes.values()];
  const ratio = Math.max(...counts) / Math.min(...counts);
  if (ratio > IMBALANCE_RATIO) {
    report.warn(
      'class_imbalance',
      `The largest class has ${ratio.toFixed(1)}× the examples of the smallest; consider balancing or class weights`,
    );
  }
}
