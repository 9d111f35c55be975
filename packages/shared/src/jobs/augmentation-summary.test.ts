import { describe, expect, it } from 'vitest';
import { augmentationSummary } from './augmentation-summary';
import { resolveAugmentation } from './defaults';

describe('augmentationSummary', () => {
  it('names the flips, gives the others their amount, and says none when nothing is on', () => {
    expect(augmentationSummary(resolveAugmentation())).toBe('none');
    expect(
      augmentationSummary(resolveAugmentation({ flip_vertical: true, zoom: 0.1, downscale: 0.9 })),
    ).toBe('flip_vertical, zoom 0.1, downscale 0.9');
  });
});
