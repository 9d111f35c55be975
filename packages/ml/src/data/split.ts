import { mulberry32 } from '@trainyard/tuning';

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
 * is seen in both. Without, a plain shuffle (regression).
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
    const take = members.length < 2 ? 0 : Math.max(1, Math.round(members.length * fraction));
    validation.push(...members.slice(0, take));
    train.push(...members.slice(take));
  }
  return { train: shuffle(train, random), validation: validation.sort((a, b) => a - b) };
}
