import { describe, expect, it } from 'vitest';
import { describeLayout, detectLayout, placeOf } from './folder-layout';
import { FatalDatasetError } from './report';

/** Each path's class and split, as validation reads them. */
function read(paths: string[]) {
  const layout = detectLayout(paths);
  return {
    root: layout.root,
    splits: Object.fromEntries(layout.splitFolders),
    places: Object.fromEntries(paths.map((p) => [p, placeOf(layout, p) ?? null])),
  };
}

function layoutError(paths: string[]): FatalDatasetError {
  try {
    detectLayout(paths);
  } catch (error) {
    expect(error).toBeInstanceOf(FatalDatasetError);
    expect((error as FatalDatasetError).code).toBe('ambiguous_layout');
    return error as FatalDatasetError;
  }
  throw new Error(`no error for ${paths.join(', ')}`);
}

describe('detectLayout', () => {
  it('reads class folders, with and without one wrapping folder', () => {
    expect(read(['cat/1.jpg', 'dog/2.jpg', 'dog/puppies/3.jpg', 'notes.txt'])).toEqual({
      root: '',
      splits: {},
      places: {
        'cat/1.jpg': { label: 'cat', split: null },
        'dog/2.jpg': { label: 'dog', split: null },
        'dog/puppies/3.jpg': { label: 'dog', split: null },
        'notes.txt': null,
      },
    });
    expect(read(['flowers/daisy/1.jpg', 'flowers/tulip/2.jpg', 'README.txt'])).toEqual({
      root: 'flowers/',
      splits: {},
      places: {
        'flowers/daisy/1.jpg': { label: 'daisy', split: null },
        'flowers/tulip/2.jpg': { label: 'tulip', split: null },
        'README.txt': null,
      },
    });
  });

  it('reads train/valid/test split folders (Roboflow), the classes inside them', () => {
    const paths = [
      'train/rock/1.jpg',
      'train/paper/2.jpg',
      'valid/rock/3.jpg',
      'valid/paper/4.jpg',
      'test/rock/5.jpg',
      'README.roboflow.txt',
    ];
    expect(read(paths)).toEqual({
      root: '',
      splits: { train: 'train', valid: 'validation', test: 'test' },
      places: {
        'train/rock/1.jpg': { label: 'rock', split: 'train' },
        'train/paper/2.jpg': { label: 'paper', split: 'train' },
        'valid/rock/3.jpg': { label: 'rock', split: 'validation' },
        'valid/paper/4.jpg': { label: 'paper', split: 'validation' },
        'test/rock/5.jpg': { label: 'rock', split: 'test' },
        'README.roboflow.txt': null,
      },
    });
  });

  it('reads split folders inside one wrapping folder, names in any case (Keras Train/Validation)', () => {
    const paths = ['data/Train/cat/1.jpg', 'data/Validation/cat/2.jpg', 'data/Train/dog/3.jpg'];
    const layout = detectLayout(paths);
    expect(layout.root).toBe('data/');
    expect(Object.fromEntries(layout.splitFolders)).toEqual({
      Train: 'train',
      Validation: 'validation',
    });
    expect(placeOf(layout, 'data/Validation/cat/2.jpg')).toEqual({
      label: 'cat',
      split: 'validation',
    });
    expect(describeLayout(layout)).toContain('data/Validation/ → validation');
  });

  it('names a class as a label: NFC and trimmed; a folder of white space only is no class', () => {
    const { places } = read([' Red /1.png', 'Red/2.png', 'cre\u0300me/3.png', '  /4.png']);
    expect(places[' Red /1.png']).toEqual({ label: 'Red', split: null });
    expect(places['Red/2.png']).toEqual({ label: 'Red', split: null });
    expect(places['cre\u0300me/3.png']).toEqual({ label: 'cr\u00e8me', split: null });
    expect(places['  /4.png']).toBeNull();
    const split = detectLayout(['train/ cat /1.png', 'val/cat/2.png']);
    expect(placeOf(split, 'train/ cat /1.png')).toEqual({ label: 'cat', split: 'train' });
  });

  it('reads train and test only, and train/val (Ultralytics); a file beside the classes is in none', () => {
    expect(read(['train/a/1.jpg', 'TEST/a/2.jpg']).splits).toEqual({
      train: 'train',
      TEST: 'test',
    });
    const { places } = read(['train/a/1.jpg', 'train/b/2.jpg', 'val/a/3.jpg', 'train/stray.jpg']);
    expect(places['val/a/3.jpg']).toEqual({ label: 'a', split: 'validation' });
    expect(places['train/stray.jpg']).toBeNull();
  });

  it('rejects split folders mixed with class folders at one level, naming both', () => {
    const error = layoutError(['train/rock/1.jpg', 'val/rock/2.jpg', 'scissors/3.jpg']);
    expect(error.message).toContain('split folders (train/, val/)');
    expect(error.message).toContain('other folders (scissors/)');
    expect(error.message).toContain(
      'accepted layouts: <class>/<image>, or <split>/<class>/<image>',
    );
    // The same inside a wrapping folder.
    expect(layoutError(['data/train/rock/1.jpg', 'data/rock/2.jpg']).message).toContain(
      'The folder data/ mixes split folders (data/train/) with other folders (data/rock/)',
    );
  });

  it('rejects classes at different depths: split folders below class folders', () => {
    expect(layoutError(['data/train/rock/1.jpg', 'extra/paper/2.jpg']).message).toContain(
      'The split folder data/train/ sits inside data/',
    );
    expect(layoutError(['rock/train/1.jpg', 'paper/val/2.jpg']).message).toContain(
      'The split folders paper/val/, rock/train/ sit inside paper/, rock/, read as class folders',
    );
  });

  it('rejects two folders for one split, split folders without train, and splits without classes', () => {
    expect(layoutError(['train/a/1.jpg', 'val/a/2.jpg', 'validation/a/3.jpg']).message).toContain(
      'val/ and validation/ both name the validation split',
    );
    expect(layoutError(['val/a/1.jpg', 'test/a/2.jpg']).message).toContain('but no train folder');
    expect(layoutError(['train/1.jpg', 'val/2.jpg']).message).toContain(
      'The split folders train/, val/ hold files but no class folders',
    );
  });
});
