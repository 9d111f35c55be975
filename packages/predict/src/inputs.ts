import {
  isInfiniteCell,
  isMissingCell,
  type Preprocess,
  parseWrittenNumber,
  type TableInput,
} from '@trainyard/shared/portable';
import { closest, distance } from 'fastest-levenshtein';
import { invalidInput } from './input-errors';
import type { Cell } from './preprocess/table';

/**
 * A batch of inputs to predict on, in one of two forms: encoded image files, each with the name
 * messages give it (`param`); or JSON values (table rows, texts, `{"image_base64": "…"}`), named
 * `inputs[i]` in messages and checked here against the model's input spec.
 */
export type PredictInputs =
  | {
      readonly form: 'images';
      readonly images: ReadonlyArray<{ readonly bytes: Uint8Array; readonly param: string }>;
      /** What messages call the files as a whole, when they do not fit the model. Default `'inputs'`. */
      readonly param?: string;
    }
  | { readonly form: 'json'; readonly inputs: readonly unknown[] };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATA_URL = /^data:[\w.+-]+\/[\w.+-]+;base64,/;

/** Checked base64 to bytes, with what every runtime has (`atob`; no `Buffer`). */
function fromBase64(text: string): Uint8Array | undefined {
  // Padding is optional, as Node's Buffer reads it; atob wants it whole when present.
  const unpadded = text.replace(/=+$/, '');
  let binary: string;
  try {
    binary = atob(unpadded);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Image bytes from either form, each with its name for messages; JSON items must be
 * `{"image_base64": "…"}` (a data URL is fine). Throws a `ModelInputError` naming the first item
 * that is not one.
 */
export function imageInputs(
  pre: Preprocess,
  inputs: PredictInputs,
): Array<{ bytes: Uint8Array; param: string }> {
  if (inputs.form === 'images') return [...inputs.images];
  return inputs.inputs.map((item, i) => {
    const param = `inputs[${i}]`;
    const keys = isPlainObject(item) ? Object.keys(item) : [];
    if (!isPlainObject(item) || keys.length !== 1 || typeof item.image_base64 !== 'string') {
      throw invalidInput(
        pre,
        param,
        `received ${keys.length ? `an object with ${keys.map((k) => JSON.stringify(k)).join(', ')}` : describe(item)}, not {"image_base64": "…"}`,
      );
    }
    const text = item.image_base64.replace(DATA_URL, '').replace(/\s+/g, '');
    const bytes = text && text.length % 4 !== 1 && BASE64.test(text) && fromBase64(text);
    if (!bytes)
      throw invalidInput(pre, `${param}.image_base64`, 'received a value that is not base64');
    return { bytes, param: `${param}.image_base64` };
  });
}

/** Image files given to a model that does not take images. */
const notImages = (pre: Preprocess, inputs: { readonly param?: string }) =>
  invalidInput(pre, inputs.param ?? 'inputs', 'received image files');

/**
 * Texts, each a string with at least one non-blank character. Throws a `ModelInputError` naming
 * the first input that is not one (or the files, given image files).
 */
export function textInputs(pre: Preprocess, inputs: PredictInputs): string[] {
  if (inputs.form === 'images') throw notImages(pre, inputs);
  return inputs.inputs.map((item, i) => {
    if (typeof item !== 'string')
      throw invalidInput(pre, `inputs[${i}]`, `received ${describe(item)}`);
    if (item.trim() === '') throw invalidInput(pre, `inputs[${i}]`, 'received an empty text');
    return item;
  });
}

/** `decimal mark ","; thousands separator "."; unit "kg"` for messages. */
function describeFormat(format: NonNullable<NumericColumn['format']>): string {
  return [
    `decimal mark ${JSON.stringify(format.decimal)}`,
    ...(format.thousands?.length
      ? [`thousands separator ${format.thousands.map((t) => JSON.stringify(t)).join(' or ')}`]
      : []),
    ...(format.currency?.length
      ? [`currency ${format.currency.map((t) => JSON.stringify(t)).join(' or ')}`]
      : []),
    ...(format.unit ? [`unit ${JSON.stringify(format.unit)}`] : []),
    ...(format.percent ? ['"%" for hundredths'] : []),
  ].join('; ');
}

type NumericColumn = Extract<TableInput['columns'][number], { type: 'numeric' }>;

function checkCell(
  pre: Preprocess,
  column: TableInput['columns'][number],
  value: unknown,
  param: string,
): Cell {
  if (value === null) return null;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    // JSON has no NaN or Infinity; a literal beyond ±1.8e308 (1e400) parses to Infinity.
    throw invalidInput(
      pre,
      param,
      `received a number out of range (${value}; a literal such as 1e400 overflows a 64-bit float)`,
    );
  }
  if (column.type === 'numeric') {
    if (typeof value === 'number') return value;
    // Strings are read as the training file wrote its numbers ("52,000", "45%", "5,2"), so a row
    // copied from that file predicts what the same row as JSON numbers does.
    if (typeof value === 'string') {
      // As training read them: missing values (an infinity written out is one, as in validation).
      if (isMissingCell(value) || isInfiniteCell(value)) return null;
      const number = parseWrittenNumber(value, column.format);
      if (number !== undefined) return number;
    }
    const written = column.format
      ? `, or a string written as in the training data (${describeFormat(column.format)})`
      : ' or a string holding one';
    throw invalidInput(
      pre,
      param,
      `received ${describe(value)} for numeric column ${JSON.stringify(column.name)}; expected a finite number${written}, or null`,
    );
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  throw invalidInput(
    pre,
    param,
    `received ${describe(value)} for categorical column ${JSON.stringify(column.name)}`,
  );
}

/**
 * An object row's values by the model's column names, keys compared in Unicode NFC (as the
 * dataset's header was: `Größe` typed composed or decomposed is one column). Throws a
 * `ModelInputError` for two keys that are one name in NFC, naming them and saying so.
 */
function byColumnName(
  pre: Preprocess,
  param: string,
  item: Record<string, unknown>,
  names: ReadonlyMap<string, string>,
): { values: Map<string, unknown>; unknown: string[] } {
  const values = new Map<string, unknown>();
  const given = new Map<string, string>();
  const unknown: string[] = [];
  for (const key of Object.keys(item)) {
    const name = names.get(key) ?? names.get(key.normalize('NFC'));
    if (name === undefined) {
      unknown.push(key);
      continue;
    }
    const other = given.get(name);
    if (other !== undefined) {
      throw invalidInput(
        pre,
        param,
        `keys ${JSON.stringify(other)} and ${JSON.stringify(key)} are one column name, written in two Unicode normalizations (composed and decomposed; keys are compared in NFC): give column ${JSON.stringify(name)} once`,
      );
    }
    given.set(name, key);
    values.set(name, item[key]);
  }
  return { values, unknown };
}

/**
 * Rows as cells in the model's column order: every feature column present, no other; an object by
 * column name (keys compared in Unicode NFC) or an array in column order. Numeric cells are
 * numbers, or strings written as the training data wrote them; null is a missing value. Throws a
 * `ModelInputError` naming the first row or cell that does not fit (`inputs[2].sepal_length`), or
 * the files, given image files.
 */
export function tableInputs(
  pre: Preprocess & { input: TableInput },
  inputs: PredictInputs,
): Cell[][] {
  if (inputs.form === 'images') throw notImages(pre, inputs);
  const columns = pre.input.columns;
  // Each column by its name as stored, then in NFC where that is no other column's name (a model
  // trained before header names were NFC may hold a decomposed one).
  const names = new Map(columns.map((c) => [c.name, c.name]));
  for (const c of columns) {
    const nfc = c.name.normalize('NFC');
    if (!names.has(nfc)) names.set(nfc, c.name);
  }
  return inputs.inputs.map((item, i) => {
    const param = `inputs[${i}]`;
    if (Array.isArray(item)) {
      if (item.length !== columns.length) {
        throw invalidInput(
          pre,
          param,
          `received ${item.length} values, expected ${columns.length}`,
        );
      }
      return columns.map((c, k) => checkCell(pre, c, item[k], `${param}[${k}]`));
    }
    if (!isPlainObject(item)) throw invalidInput(pre, param, `received ${describe(item)}`);
    const { values, unknown } = byColumnName(pre, param, item, names);
    if (unknown.length) {
      // Named by its own path (`inputs[0].sise`), with the column it is a typo of (`size`).
      const hints = unknown.flatMap((k) => {
        const near = closest(k, [...names.keys()]);
        const edits = distance(k, near);
        return edits <= 2 && edits < k.length / 2 && !Object.hasOwn(item, near) ? [near] : [];
      });
      throw invalidInput(
        pre,
        unknown.length === 1 ? `${param}.${unknown[0]}` : param,
        `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}${
          hints.length ? `; did you mean ${hints.map((h) => JSON.stringify(h)).join(' or ')}?` : ''
        }`,
      );
    }
    const missing = columns.filter((c) => !values.has(c.name));
    if (missing.length) {
      // One missing column is named by its own path (`inputs[0].nuclei`), as an unknown one is.
      throw invalidInput(
        pre,
        missing.length === 1 ? `${param}.${missing[0]!.name}` : param,
        `missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => JSON.stringify(c.name)).join(', ')}`,
      );
    }
    return columns.map((c) => checkCell(pre, c, values.get(c.name), `${param}.${c.name}`));
  });
}
