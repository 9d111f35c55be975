import { describe, expect, it } from 'vitest';
import { detectLayout } from './folder-layout';
import { exampleOf, imageEntryProblem, isSystemFile } from './zip-examples';

const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

describe('zip examples', () => {
  it('decides "is an image" by the bytes, never the name', () => {
    expect(imageEntryProblem(PNG_HEAD)).toBeUndefined();
    expect(imageEntryProblem(Buffer.from('taken on a sunny day'))?.problem).toBe('unknown_format');
    // A known format with no decoder here is no training image either.
    expect(imageEntryProblem(Buffer.from('<svg width="1" height="1"></svg>'))?.problem).toBe(
      'unsupported_format',
    );
  });

  it('places files, not folders or system files, into their class', () => {
    const layout = detectLayout(['red/r0', 'blue/b.png']);
    expect(exampleOf(layout, 'red/r0')).toEqual({ label: 'red', split: null });
    expect(exampleOf(layout, 'red/')).toBeUndefined();
    expect(exampleOf(layout, 'red/.DS_Store')).toBeUndefined();
    expect(exampleOf(layout, 'stray.png')).toBeUndefined();
    expect(isSystemFile('__MACOSX/red/._r0')).toBe(true);
    expect(isSystemFile('red/Thumbs.db')).toBe(true);
  });
});
