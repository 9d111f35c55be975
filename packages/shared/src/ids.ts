import { randomBytes } from 'node:crypto';
import { InternalError } from './errors';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** The type prefix of each kind of id, as in the API contract. */
export const ID_PREFIXES = {
  dataset: 'ds',
  job: 'ftjob',
  model: 'model',
  baseModel: 'bm',
} as const;
export type IdPrefix = (typeof ID_PREFIXES)[keyof typeof ID_PREFIXES];

/**
 * The part of an id after its prefix: the id alphabet (`0-9a-z`), at most 64 characters. Generated
 * ids have 21 (`newId`); older or hand-made ones may be shorter.
 */
export const ID_BODY_PATTERN = '[0-9a-z]{1,64}';
/** An API key's id: 12 of the id alphabet (generated) or `h` + 11 hex (an operator's own key). */
export const API_KEY_ID_PATTERN = /^[0-9a-z]{12}$/;

const patterns = new Map<string, RegExp>();
/** The whole-id pattern of a prefix (`^ds_[0-9a-z]{1,64}$`). */
export function idPattern(prefix: IdPrefix): RegExp {
  let pattern = patterns.get(prefix);
  if (!pattern) {
    pattern = new RegExp(`^${prefix}_${ID_BODY_PATTERN}$`);
    patterns.set(prefix, pattern);
  }
  return pattern;
}

/** Whether `value` is a well-formed id of this type (prefix and alphabet; it may not exist). */
export function isId(prefix: IdPrefix, value: unknown): value is string {
  return typeof value === 'string' && idPattern(prefix).test(value);
}

/**
 * Returns `value` if it is a well-formed id of this type, else throws an `InternalError`: ids are
 * validated at the edge of every route, so one that is not well-formed here is a bug, and it must
 * never become part of a storage key.
 */
export function checkedId(prefix: IdPrefix, value: string): string {
  if (!isId(prefix, value)) {
    throw new InternalError(
      `not a ${prefix}_ id: ${JSON.stringify(String(value).slice(0, 80))} (ids are validated before use)`,
    );
  }
  return value;
}

/**
 * Ids with a type prefix, as in the API contract (`ds_…`, `ftjob_…`, `model_…`, `bm_…`). The first
 * part is the creation time in base36 so that ids sort by age in S3 listings; then 12 random chars.
 */
export function newId(prefix: string, now = Date.now()): string {
  const time = now.toString(36).padStart(9, '0');
  const bytes = randomBytes(12);
  let random = '';
  for (const b of bytes) random += ALPHABET[b % ALPHABET.length];
  return `${prefix}_${time}${random}`;
}

/**
 * When an id made by `newId` was made, in milliseconds since the epoch (its first 9 characters
 * after the prefix); NaN for an id of another shape.
 */
export function idTimeMs(id: string): number {
  const time = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 10);
  return /^[0-9a-z]{9}$/.test(time) ? Number.parseInt(time, 36) : Number.NaN;
}

/** Unix seconds, the unit of every timestamp in the API. */
export function unixSeconds(date = new Date()): number {
  return Math.floor(date.getTime() / 1000);
}
