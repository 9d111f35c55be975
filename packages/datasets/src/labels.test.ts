import { describe, expect, it } from 'vitest';
import { checkLabelSpellings, nearDuplicateLabels, normalizeLabel, spellingKey } from './labels';
import { ReportBuilder } from './report';

describe('label spellings', () => {
  it('normalizes a label to NFC without surrounding space', () => {
    expect(normalizeLabel(' cre\u0300me\t')).toBe('cr\u00e8me');
  });

  it('gives one key to case, space, full-width and trailing-punctuation variants', () => {
    const key = spellingKey('cat');
    for (const s of ['Cat', 'CAT', ' cat ', 'ｃａｔ', 'cat.', 'cat!', 'Cat ?', 'cat。'])
      expect(spellingKey(s)).toBe(key);
    expect(spellingKey('ice  cream')).toBe(spellingKey('Ice Cream'));
    expect(spellingKey('Straße')).toBe(spellingKey('STRASSE'));
  });

  it('keeps labels apart that differ in more than spelling', () => {
    expect(spellingKey('C#')).not.toBe(spellingKey('C'));
    expect(spellingKey('C++')).not.toBe(spellingKey('C'));
    expect(spellingKey('cats')).not.toBe(spellingKey('cat'));
    expect(spellingKey('?')).toBe('?');
  });

  it('groups near duplicates, most frequent first, ties in first-seen order', () => {
    const classes = new Map([
      ['Positive', 3],
      ['negative', 30],
      ['positive', 40],
      ['positive.', 1],
      ['NEGATIVE', 30],
      ['neutral', 12],
    ]);
    expect(nearDuplicateLabels(classes)).toEqual([
      {
        label: 'positive',
        spellings: [
          ['positive', 40],
          ['Positive', 3],
          ['positive.', 1],
        ],
      },
      {
        label: 'negative',
        spellings: [
          ['negative', 30],
          ['NEGATIVE', 30],
        ],
      },
    ]);
  });

  it('warns per group without merging, or merges into the most frequent spelling', () => {
    const classes = () =>
      new Map([
        ['cat', 12],
        ['Cat', 2],
        ['dog', 11],
      ]);
    const warned = new ReportBuilder(20);
    const kept = classes();
    expect(checkLabelSpellings(kept, warned, false).size).toBe(0);
    expect(kept).toEqual(classes());
    expect(warned.build(null).warnings).toEqual([
      expect.objectContaining({ code: 'near_duplicate_labels', where: 'class cat' }),
    ]);
    expect(warned.build(null).warnings[0]!.message).toContain('"cat" (12), "Cat" (2)');

    const merging = new ReportBuilder(20);
    const merged = classes();
    expect(checkLabelSpellings(merged, merging, true)).toEqual(new Map([['Cat', 'cat']]));
    expect(merged).toEqual(
      new Map([
        ['cat', 14],
        ['dog', 11],
      ]),
    );
    expect(merging.build(null).warnings[0]).toMatchObject({
      code: 'near_duplicate_labels_merged',
      message: expect.stringContaining('Merged "Cat" (2) into "cat" (12): 14 examples'),
    });
  });
});
