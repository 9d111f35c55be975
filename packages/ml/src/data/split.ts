import { type DatasetSplit, mulberry32 } from '@trainyard/shared';

function shuffle(items: number[], random: () => number): number[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Seeded train/validation split of example indices. With `classes`, stratified: each class gives
 * `fraction` of its examples (at least one when it has two or more) to validation, so every class
 * is seen in both. Without, a plain shuffle (regression). `fraction` 0 puts every example in
 * train (shuffled).
 */
export function splitIndices(
  labels: ArrayLike<number>,
  fraction: number,
  seed: number,
  stratified: boolean,
): { train: number[]; validation: number[] } {
  const random = mulberry32(seed);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const key = stratified ? labels[i]! : 0;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const members = shuffle(groups.get(key)!, random);
    const take =
      members.length < 2 || fraction <= 0 ? 0 : Math.max(1, Math.round(members.length * fraction));
    validation.push(...members.slice(0, take));
    train.push(...members.slice(take));
  }
  return { train: shuffle(train, random), validation: validation.sort((a, b) => a - b) };
}

/** Train, validation and held-out test indices. */
export interface ThreeWaySplit {
  readonly train: number[];
  readonly validation: number[];
  /** Never trained or validated on; scored once on the published model. */
  readonly test: number[];
}

/**
 * Splits examples that may carry their own split (an image zip's `train/`, `val/`, `test/`
 * folders; `folders[i]` undefined = no folder). Test examples are always held out. With
 * `folderValidation` and at least one example in a validation folder, the validation folder is the
 * validation set and the train folder the training set (shuffled); otherwise every example not in
 * test is split at random by `splitIndices(…, fraction, seed, stratified)`. With no folders at all
 * this returns exactly what `splitIndices` does, and an empty `test`.
 */
export function splitWithFolders(
  labels: ArrayLike<number>,
  folders: ArrayLike<DatasetSplit | undefined> | undefined,
  options: { fraction: number; seed: number; stratified: boolean; folderValidation: boolean },
): ThreeWaySplit {
  const { fraction, seed, stratified, folderValidation } = options;
  const of = (i: number) => folders?.[i];
  const all = Array.from({ length: labels.length }, (_, i) => i);
  const test = all.filter((i) => of(i) === 'test');
  const inValidation = all.filter((i) => of(i) === 'validation');
  const within = (members: number[], f: number) => {
    const split = splitIndices(
      members.map((i) => labels[i]!),
      f,
      seed,
      stratified,
    );
    return {
      train: split.train.map((k) => members[k]!),
      validation: split.validation.map((k) => members[k]!),
    };
  };
  if (folderValidation && inValidation.length > 0) {
    const train = within(
      all.filter((i) => of(i) !== 'test' && of(i) !== 'validation'),
      0,
    ).train;
    return { train, validation: inValidation, test };
  }
  return { ...within(test.length ? all.filter((i) => of(i) !== 'test') : all, fraction), test };
}
