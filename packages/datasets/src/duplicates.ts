/**
 * A 53-bit hash of a string (two 32-bit FNV-1a lanes with different seeds). Not cryptographic:
 * it only has to make accidental collisions between examples of one dataset unlikely, and be
 * cheap enough to run on millions of rows.
 */
export function hash53(text: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}

/** The same for bytes (images): FNV-1a over the bytes, seeded with the length. */
export function hash53Bytes(bytes: Uint8Array): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}

/**
 * Counts exact duplicates by a 53-bit hash of each example, remembering at most `capacity`
 * hashes so that memory stays bounded (a few MiB); past that, new examples are only compared
 * with those remembered.
 */
export class DuplicateCounter {
  private readonly seen = new Set<number>();
  duplicates = 0;

  constructor(private readonly capacity = 200_000) {}

  /** True when the same example was seen before. */
  add(data: Uint8Array | string): boolean {
    const hash = typeof data === 'string' ? hash53(data) : hash53Bytes(data);
    if (this.seen.has(hash)) {
      this.duplicates++;
      return true;
    }
    if (this.seen.size < this.capacity) this.seen.add(hash);
    return false;
  }
}
