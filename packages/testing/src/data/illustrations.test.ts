import { InternalError } from '@trainyard/shared';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fewShotIllustrations, ILLUSTRATION_CLASSES, illustrationCounts } from './illustrations';

describe('fewShotIllustrations', () => {
  it('gives 8 training pictures a class and 20 other emoji a class in both sets, the same for a seed', async () => {
    const { train, test } = await fewShotIllustrations({ seed: 3, size: 72 });
    const classes = Object.keys(ILLUSTRATION_CLASSES);
    expect(classes).toHaveLength(6);
    for (const label of classes) {
      expect(train.filter((p) => p.label === label)).toHaveLength(8);
      expect(test.filter((p) => p.label === label)).toHaveLength(40);
    }
    // No emoji is both trained on and held out; each held-out one is drawn by both sets.
    const trained = new Set(train.map((p) => p.hexcode));
    expect(test.filter((p) => trained.has(p.hexcode))).toEqual([]);
    expect(test.filter((p) => p.style === 'openmoji')).toHaveLength(120);
    expect(new Set(train.map((p) => p.style))).toEqual(new Set(['openmoji', 'twemoji']));

    const meta = await sharp(train[0]!.png).metadata();
    expect([meta.width, meta.height, meta.channels, meta.format]).toEqual([72, 72, 3, 'png']);

    const again = await fewShotIllustrations({ seed: 3, size: 72 });
    expect(again.train.map((p) => p.hexcode)).toEqual(train.map((p) => p.hexcode));
    expect(again.train[5]!.png.equals(train[5]!.png)).toBe(true);
    const other = await fewShotIllustrations({ seed: 4, size: 72 });
    expect(other.train.map((p) => p.hexcode)).not.toEqual(train.map((p) => p.hexcode));
  }, 60_000);

  it('says which class is short when asked for more emoji than both sets draw', async () => {
    expect(illustrationCounts().plants).toBe(28);
    await expect(fewShotIllustrations({ shots: 8, heldOut: 21 })).rejects.toThrow(InternalError);
    await expect(fewShotIllustrations({ shots: 8, heldOut: 21 })).rejects.toThrow(
      /plants has 28 emoji drawn by both sets; asked for 8 \+ 21/,
    );
  });
});
