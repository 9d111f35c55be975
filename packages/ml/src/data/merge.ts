import { InternalError } from '@trainyard/shared';
import { DataError } from '../errors';
import type { RawDataset } from './raw';

function concat<T extends Int32Array | Float32Array | Uint8Array>(a: T, b: T): T {
  const out = new (a.constructor as new (n: number) => T)(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Appends a separate validation dataset's examples to the training dataset's, mapping its labels
 * onto the training classes; returns the merged dataset and the indices of the appended examples.
 * Classes the training data does not have cannot be scored, so they are an error.
 */
export function appendValidation(
  train: RawDataset,
  validation: RawDataset,
): { raw: RawDataset; validation: number[] } {
  if (train.kind !== validation.kind) {
    throw new DataError(
      `validation dataset holds ${validation.kind}, the training dataset ${train.kind}`,
    );
  }
  const trainClasses =
    train.manifest.kind === 'table' ? train.manifest.classes : train.manifest.classes;
  const valClasses =
    validation.manifest.kind === 'table'
      ? validation.manifest.classes
      : validation.manifest.classes;
  let labels = validation.labels;
  if (trainClasses && valClasses) {
    const map = valClasses.map((c) => {
      const at = trainClasses.indexOf(c);
      if (at < 0)
        throw new DataError(
          `validation class ${JSON.stringify(c)} is not a class of the training dataset`,
        );
      return at;
    });
    labels = new (labels.constructor as new (a: number[]) => typeof labels)(
      Array.from(labels, (l) => map[l]!),
    );
  }
  const start =
    train.kind === 'images'
      ? train.images.length
      : train.kind === 'table'
        ? train.rows.length
        : train.texts.length;
  const count = validation.labels.length;
  const indices = Array.from({ length: count }, (_, i) => start + i);
  const unknown = (n: number) => new Array<null>(n).fill(null);
  const references = [
    ...(train.references ?? unknown(start)),
    ...(validation.references ?? unknown(count)),
  ];
  if (train.kind === 'images' && validation.kind === 'images') {
    return {
      raw: {
        ...train,
        images: [...train.images, ...validation.images],
        labels: concat(train.labels, labels as Int32Array),
        channels: concat(train.channels, validation.channels),
        references,
      },
      validation: indices,
    };
  }
  if (train.kind === 'table' && validation.kind === 'table') {
    // By name in NFC, as validation compares header names: a dataset validated before names were
    // stored in NFC may spell a column decomposed, and it is still the same column.
    const names = train.manifest.columns.map((c) => c.name.normalize('NFC'));
    const at = new Map(validation.manifest.columns.map((c, i) => [c.name.normalize('NFC'), i]));
    const rows = validation.rows.map((row) =>
      names.map((n) => {
        const i = at.get(n);
        return i === undefined ? null : (row[i] ?? null);
      }),
    );
    return {
      raw: {
        ...train,
        rows: [...train.rows, ...rows],
        labels: concat(train.labels, labels as Float32Array),
        references,
      },
      validation: indices,
    };
  }
  if (train.kind === 'texts' && validation.kind === 'texts') {
    return {
      raw: {
        ...train,
        texts: [...train.texts, ...validation.texts],
        labels: concat(train.labels, labels as Int32Array),
        references,
      },
      validation: indices,
    };
  }
  throw new InternalError('unreachable: the kinds of both datasets were checked equal');
}
