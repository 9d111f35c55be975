import { datasetManifestSchema, imageIndexEntrySchema, keys } from '@trainyard/shared';
import { digitPng, makeZip, mnistDigits } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestApi, type TestApi } from '../support/api';
import { realworldFixture, submitDataset } from '../support/realworld';

// Real-world image zips (test/fixtures/realworld, issue 13) uploaded through the HTTP API and
// validated on the real S3 endpoint, each checked against its expect.txt; then variants of the
// same kinds built here.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const fixture = realworldFixture;

/** Creates an image_folder_zip dataset, uploads `zip` through the API and validates it. */
const validate = (name: string, zip: Uint8Array) =>
  submitDataset(api, { name, task: 'image_classification', format: 'image_folder_zip' }, zip);

const codes = (issues: { code: string }[]) => issues.map((i) => i.code);
const issue = (issues: { code: string; message: string; where?: string }[], code: string) =>
  issues.find((i) => i.code === code);

async function manifestOf(id: string) {
  const manifest = await api.runtime.storage.getJson(
    keys.datasetManifest(id),
    datasetManifestSchema,
  );
  if (manifest.kind !== 'images')
    throw new Error(`expected an images manifest, got ${manifest.kind}`);
  return manifest;
}

describe('real-world zips', () => {
  it('02: a macOS Finder zip gives exactly its two classes and a warning about skipped system files', async () => {
    const dataset = await validate('finder', fixture('02-macos-zip-junk/finder.zip'));
    expect(dataset.status).toBe('ready');
    expect(dataset.report.errors).toEqual([]);
    expect(dataset.report.stats.classes).toEqual({ 'golden retriever': 12, 'tabby cat': 12 });
    expect(issue(dataset.report.warnings, 'ignored_files')?.message).toMatch(
      /system files \(__MACOSX, dot files, Thumbs\.db\) skipped/,
    );
  });

  it('03: a Windows zip with backslashes and one wrapping folder gives classes daisy and tulip', async () => {
    const dataset = await validate('powershell', fixture('03-windows-zip-wrapped/powershell.zip'));
    expect(dataset.status).toBe('ready');
    expect(dataset.report.errors).toEqual([]);
    expect(dataset.report.stats.classes).toEqual({ daisy: 12, tulip: 12 });
  });

  it('04: non-ASCII class folders come out as the user sees them, in NFC', async () => {
    // Escapes, so that the expected names are NFC whatever an editor does to this file.
    const apfel = '\u00c4pfel';
    const creme = 'cr\u00e8me br\u00fbl\u00e9e';
    const eclair = '\u00e9clair';

    const windows = await validate(
      'explorer',
      fixture('04-unicode-class-names/windows-explorer.zip'),
    );
    expect(windows.status).toBe('ready');
    expect(windows.report.stats.classes).toEqual({ [apfel]: 12, Birnen: 12 });
    // Sorted by code point, as every manifest's classes are.
    expect((await manifestOf(windows.id)).classes).toEqual(['Birnen', apfel]);

    const macos = await validate('finder-nfd', fixture('04-unicode-class-names/macos-finder.zip'));
    expect(macos.status).toBe('ready');
    expect(macos.report.stats.classes).toEqual({ [creme]: 12, [eclair]: 12 });
    const classes = (await manifestOf(macos.id)).classes;
    expect(classes).toEqual([creme, eclair]);
    for (const c of classes) expect(c).toBe(c.normalize('NFC'));
  });

  it('05: data/train/<class> and data/val/<class> give the classes inside, the splits and a warning naming the layout', async () => {
    const dataset = await validate('exported', fixture('05-split-folders/exported.zip'));
    expect(dataset.status).toBe('ready');
    expect(dataset.report.errors).toEqual([]);
    const { stats, warnings } = dataset.report;
    expect(stats.classes).toEqual({ paper: 14, rock: 14, scissors: 14 });
    expect(stats.classes).not.toHaveProperty('train');
    expect(stats.classes).not.toHaveProperty('val');
    expect(stats.splits).toEqual({ train: 30, validation: 12, test: 0 });
    expect(issue(warnings, 'split_folders')?.message).toBe(
      'Split folders recognized (data/train/ → train, data/val/ → validation): the classes are the folders inside them',
    );
    expect(codes(warnings)).not.toContain('class_missing_from_split');

    const manifest = await manifestOf(dataset.id);
    expect(manifest).toMatchObject({
      kind: 'images',
      classes: ['paper', 'rock', 'scissors'],
      splits: { train: 30, validation: 12, test: 0 },
    });
  });
});

describe('variants', () => {
  const pngs = Promise.all(mnistDigits([0, 1], 6).map(digitPng));

  it('train/valid/test beside a README (Roboflow): splits, each image split in the index, and a class missing from a split', async () => {
    const [a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4] = await pngs;
    const zip = makeZip([
      { name: 'README.roboflow.txt', data: 'exported' },
      ...[a0, a1, a2, a3].map((d, i) => ({ name: `train/zero/${i}.png`, data: d! })),
      ...[b0, b1, b2].map((d, i) => ({ name: `train/one/${i}.png`, data: d! })),
      { name: 'valid/zero/v.png', data: a4! },
      { name: 'valid/one/v.png', data: b3! },
      { name: 'test/zero/t.png', data: a5! },
      // No test/one: the warning names it.
      { name: 'train/one/extra.png', data: b4! },
    ]);
    const dataset = await validate('roboflow', zip);
    expect(dataset.status).toBe('ready');
    expect(dataset.report.stats.classes).toEqual({ one: 5, zero: 6 });
    expect(dataset.report.stats.splits).toEqual({ train: 8, validation: 2, test: 1 });
    expect(issue(dataset.report.warnings, 'class_missing_from_split')).toEqual({
      code: 'class_missing_from_split',
      message:
        'Class "one" has no images in test/ (the test split), so it is not scored there; it has images in train/, valid/',
      where: 'test/',
    });
    expect(issue(dataset.report.warnings, 'file_outside_class_folder')?.where).toBe(
      'README.roboflow.txt',
    );

    const manifest = await manifestOf(dataset.id);
    const index = await api.runtime.storage.getJson(
      manifest.shards[0]!.index,
      z.array(imageIndexEntrySchema),
    );
    const perSplit = new Map<string, number>();
    for (const entry of index) perSplit.set(entry[6]!, (perSplit.get(entry[6]!) ?? 0) + 1);
    expect(Object.fromEntries(perSplit)).toEqual({ train: 8, validation: 2, test: 1 });
  });

  it('Train/Val in one wrapping folder, any case', async () => {
    const images = await pngs;
    const zip = makeZip(
      images.map((d, i) => ({
        name: `flowers\\${i % 3 === 0 ? 'Val' : 'Train'}\\${i < 6 ? 'daisy' : 'tulip'}\\${i}.png`,
        data: d,
      })),
    );
    const dataset = await validate('keras', zip);
    expect(dataset.status).toBe('ready');
    expect(dataset.report.stats.classes).toEqual({ daisy: 6, tulip: 6 });
    expect(dataset.report.stats.splits).toEqual({ train: 8, validation: 4, test: 0 });
    expect(issue(dataset.report.warnings, 'split_folders')?.message).toContain(
      'flowers/Train/ → train, flowers/Val/ → validation',
    );
  });

  it('split folders beside a class folder are an error naming the folders and the accepted layouts; nothing is kept', async () => {
    const [a, b, c] = await pngs;
    const zip = makeZip([
      { name: 'train/cat/1.png', data: a! },
      { name: 'val/cat/2.png', data: b! },
      { name: 'dog/3.png', data: c! },
    ]);
    const dataset = await validate('mixed', zip);
    expect(dataset.status).toBe('invalid');
    expect(dataset.report.errors).toEqual([
      {
        code: 'ambiguous_layout',
        message: expect.stringContaining(
          'The archive mixes split folders (train/, val/) with other folders (dog/) at one level; accepted layouts:',
        ),
      },
    ]);
    expect(
      await api.runtime.storage.tryGetJson(keys.datasetManifest(dataset.id), datasetManifestSchema),
    ).toBeUndefined();
  });
});
