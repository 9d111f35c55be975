import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

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

/** Unix seconds, the unit of every timestamp in the API. */
export function unixSeconds(date = new Date()): number {
  return Math.floor(date.getTime() / 1000);
}
