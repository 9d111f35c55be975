import type { DatasetSplit } from '@trainyard/shared';
import { normalizeLabel } from './labels';
import { FatalDatasetError, type ReportBuilder } from './report';

/**
 * Split folder names that exporters and Keras write (Roboflow `train/valid/test`, Ultralytics
 * `train/val/test`, Keras `train/validation`), compared case-insensitively.
 */
const SPLIT_NAMES: Record<string, DatasetSplit> = {
  train: 'train',
  training: 'train',
  val: 'validation',
  valid: 'validation',
  validation: 'validation',
  test: 'test',
  testing: 'test',
};

const ACCEPTED =
  'accepted layouts: <class>/<image>, or <split>/<class>/<image> with split folders train, val|valid|validation and test (any case), either one optionally inside one wrapping folder';

/** The split a folder name stands for, or undefined for any other name. */
export function splitOfFolder(name: string): DatasetSplit | undefined {
  return Object.hasOwn(SPLIT_NAMES, name.toLowerCase())
    ? SPLIT_NAMES[name.toLowerCase()]
    : undefined;
}

/** How the image files of a zip are laid out in folders. */
export interface FolderLayout {
  /** The wrapping folder every example sits in (`"flowers/"`), or `""`. */
  readonly root: string;
  /** Split layout: each split folder's name as in the zip, and the split it holds. Else empty. */
  readonly splitFolders: ReadonlyMap<string, DatasetSplit>;
}

/** Where one file belongs: its class, and its split (null without split folders). */
export interface Placement {
  readonly label: string;
  readonly split: DatasetSplit | null;
}

interface Level {
  /** Folder name → whether some file sits deeper than directly inside it. */
  readonly folders: Map<string, boolean>;
}

function level(paths: readonly string[], prefix: string): Level {
  const folders = new Map<string, boolean>();
  for (const path of paths) {
    if (!path.startsWith(prefix)) continue;
    const parts = path.slice(prefix.length).split('/');
    if (parts.length < 2) continue;
    folders.set(parts[0]!, (folders.get(parts[0]!) ?? false) || parts.length > 2);
  }
  return { folders };
}

const listed = (prefix: string, names: Iterable<string>) =>
  [...names]
    .sort()
    .map((n) => `${prefix}${n}/`)
    .join(', ');

function ambiguous(message: string): FatalDatasetError {
  return new FatalDatasetError('ambiguous_layout', `${message}; ${ACCEPTED}`);
}

function splitLayout(
  paths: readonly string[],
  root: string,
  folders: Map<string, boolean>,
): FolderLayout {
  const splitFolders = new Map<string, DatasetSplit>();
  const bySplit = new Map<DatasetSplit, string>();
  for (const folder of folders.keys()) {
    const split = splitOfFolder(folder)!;
    const other = bySplit.get(split);
    if (other !== undefined) {
      throw ambiguous(
        `The folders ${root}${other}/ and ${root}${folder}/ both name the ${split} split; expected one folder per split`,
      );
    }
    bySplit.set(split, folder);
    splitFolders.set(folder, split);
  }
  if (!bySplit.has('train')) {
    throw ambiguous(
      `The archive has split folders ${listed(root, folders.keys())} but no train folder; expected ${root}train/<class>/… beside them`,
    );
  }
  const flat = [...folders].filter(([, nested]) => !nested).map(([name]) => name);
  if (flat.length) {
    throw ambiguous(
      `The split folder${flat.length === 1 ? '' : 's'} ${listed(root, flat)} hold${flat.length === 1 ? 's' : ''} files but no class folders, so no class can be read from them`,
    );
  }
  for (const folder of folders.keys()) checkNoSplitBelow(paths, `${root}${folder}/`, 1);
  return { root, splitFolders };
}

/**
 * In a class-folder layout, a split folder inside a class folder (`rock/train/…`, or
 * `data/train/rock/…` beside `other/…`) means the classes sit at different depths: no reading of
 * that is safe, so it is an error naming both.
 */
function checkNoSplitBelow(paths: readonly string[], prefix: string, from: number): void {
  const found = new Set<string>();
  const classes = new Set<string>();
  for (const path of paths) {
    if (!path.startsWith(prefix)) continue;
    const parts = path.slice(prefix.length).split('/');
    for (let i = from; i < parts.length - 1; i++) {
      if (splitOfFolder(parts[i]!)) {
        found.add(`${prefix}${parts.slice(0, i + 1).join('/')}/`);
        classes.add(`${prefix}${parts.slice(0, from).join('/')}/`);
        break;
      }
    }
  }
  if (found.size === 0) return;
  const many = found.size > 1;
  const shown = [...found].sort().slice(0, 5).join(', ');
  throw ambiguous(
    `The split folder${many ? 's' : ''} ${shown}${found.size > 5 ? ` (and ${found.size - 5} more)` : ''} sit${many ? '' : 's'} inside ${[...classes].sort().slice(0, 5).join(', ')}, read as class folder${classes.size > 1 ? 's' : ''} (classes at different depths)`,
  );
}

/**
 * The layout of a zip's image folders, from the paths of its files (system files already left
 * out; `/`-separated; files directly at the top do not count). Recognized, each optionally inside
 * one wrapping folder:
 *
 * - class folders: `<class>/<image>` (deeper folders inside a class are that class's);
 * - split folders: `<split>/<class>/<image>`, split `train` (required), `val`/`valid`/`validation`,
 *   `test`, in any case.
 *
 * Throws `FatalDatasetError` `ambiguous_layout`, naming the folders found and the accepted
 * layouts, for split folders mixed with other folders at one level, two folders for one split,
 * split folders without `train` or without class folders, and split folders inside class folders.
 */
export function detectLayout(paths: readonly string[]): FolderLayout {
  let root = '';
  for (;;) {
    const { folders } = level(paths, root);
    const splits = [...folders.keys()].filter((f) => splitOfFolder(f));
    if (splits.length > 0 && splits.length === folders.size) {
      return splitLayout(paths, root, folders);
    }
    if (splits.length > 0) {
      const others = [...folders.keys()].filter((f) => !splitOfFolder(f));
      throw ambiguous(
        `${root ? `The folder ${root}` : 'The archive'} mixes split folders (${listed(root, splits)}) with other folders (${listed(root, others)}) at one level`,
      );
    }
    const [only] = folders;
    if (root === '' && folders.size === 1 && only![1]) {
      // One folder that holds folders (`flowers/daisy/…`): it wraps the dataset; look inside.
      root = `${only![0]}/`;
      continue;
    }
    checkNoSplitBelow(paths, root, 1);
    return { root, splitFolders: new Map() };
  }
}

/**
 * The class and split of the file at `path` in `layout`, or undefined when it is in none. The
 * class is the folder's name as a label (`normalizeLabel`: NFC, trimmed, so ` Red /` is `Red`); a
 * folder whose name is only white space is no class.
 */
export function placeOf(layout: FolderLayout, path: string): Placement | undefined {
  if (!path.startsWith(layout.root)) return undefined;
  const parts = path.slice(layout.root.length).split('/');
  const place = (folder: string, split: DatasetSplit | null) => {
    const label = normalizeLabel(folder);
    return label ? { label, split } : undefined;
  };
  if (layout.splitFolders.size === 0) {
    return parts.length >= 2 ? place(parts[0]!, null) : undefined;
  }
  const split = layout.splitFolders.get(parts[0]!);
  return split && parts.length >= 3 ? place(parts[1]!, split) : undefined;
}

/** One line for the report: which layout was recognized, folder by folder. */
export function describeLayout(layout: FolderLayout): string {
  const order: DatasetSplit[] = ['train', 'validation', 'test'];
  const folders = [...layout.splitFolders]
    .sort(([, a], [, b]) => order.indexOf(a) - order.indexOf(b))
    .map(([folder, split]) => `${layout.root}${folder}/ → ${split}`)
    .join(', ');
  return `Split folders recognized (${folders}): the classes are the folders inside them`;
}

/**
 * Warns (`class_missing_from_split`) for each class that has no images in one of the split
 * folders: a class missing from validation or test cannot be scored there, one missing from
 * train cannot be learned.
 */
export function warnMissingClasses(
  report: ReportBuilder,
  layout: FolderLayout,
  classes: ReadonlyMap<string, number>,
  splitClasses: ReadonlyMap<DatasetSplit, ReadonlyMap<string, number>>,
): void {
  for (const [folder, split] of layout.splitFolders) {
    const here = splitClasses.get(split);
    const missing = [...classes.keys()].filter((label) => !here?.get(label)).sort();
    for (const label of missing) {
      const elsewhere = [...layout.splitFolders]
        .filter(([, s]) => splitClasses.get(s)?.get(label))
        .map(([f]) => `${layout.root}${f}/`);
      report.warn(
        'class_missing_from_split',
        `Class ${JSON.stringify(label)} has no images in ${layout.root}${folder}/ (the ${split} split)${split === 'train' ? ', so the model cannot learn it' : ', so it is not scored there'}; it has images in ${elsewhere.join(', ')}`,
        `${layout.root}${folder}/`,
      );
    }
  }
}
