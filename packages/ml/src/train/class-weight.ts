import type { ClassWeight } from '@trainyard/shared';

/**
 * The loss weight of each class index, from a spec's `hyperparameters.class_weight`, or null for
 * none (every example weighs 1). `"balanced"`: n_samples / (n_classes · count_c) over the
 * training examples `train` (scikit-learn's `compute_class_weight`, n_classes being the classes
 * with training examples; a class without any weighs 1). A map `{label: weight}` names classes by `labelNames` (index = class id;
 * classes it leaves out weigh 1). Throws when a map is given without `labelNames`, or names a
 * class that is not one of them.
 */
export function classWeights(
  setting: ClassWeight | null | undefined,
  labels: ArrayLike<number>,
  train: readonly number[],
  classes: number,
  labelNames?: readonly string[] | null,
): number[] | null {
  if (setting == null) return null;
  if (setting === 'balanced') {
    const counts = new Array<number>(classes).fill(0);
    for (const i of train) counts[labels[i]!]!++;
    // n_classes counts the classes present, so that the mean weight of a training example is 1.
    const present = counts.filter((c) => c > 0).length;
    return counts.map((count) => (count ? train.length / (present * count) : 1));
  }
  if (!labelNames) throw new Error('class_weight as a {label: weight} map needs the class names');
  const weights = new Array<number>(classes).fill(1);
  for (const [label, weight] of Object.entries(setting)) {
    const at = labelNames.indexOf(label);
    if (at < 0)
      throw new Error(
        `class_weight names ${JSON.stringify(label)}, which is not a class; expected some of ${labelNames.join(', ')}`,
      );
    weights[at] = weight;
  }
  return weights;
}
