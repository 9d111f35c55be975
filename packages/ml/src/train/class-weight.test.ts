import { describe, expect, it } from 'vitest';
import { classWeights } from './class-weight';

// Labels: class 0 ×6, class 1 ×3, class 2 ×1 (indices 0..9).
const labels = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 2]);
const all = [...labels.keys()];

describe('classWeights', () => {
  it('balanced is n_samples / (n_classes · count_c) over the training indices', () => {
    expect(classWeights('balanced', labels, all, 3)).toEqual([10 / 18, 10 / 9, 10 / 3]);
    // Only what is trained on counts; a class with no training example weighs 1.
    expect(classWeights('balanced', labels, [0, 1, 6, 7], 3)).toEqual([1, 1, 1]);
  });

  it('a map sets the classes it names by label, the others weigh 1', () => {
    expect(classWeights({ c: 5, a: 0.5 }, labels, all, 3, ['a', 'b', 'c'])).toEqual([0.5, 1, 5]);
    expect(() => classWeights({ d: 2 }, labels, all, 3, ['a', 'b', 'c'])).toThrow(/"d"/);
  });

  it('null or absent means no weights', () => {
    expect(classWeights(null, labels, all, 3)).toBeNull();
    expect(classWeights(undefined, labels, all, 3)).toBeNull();
  });
});
