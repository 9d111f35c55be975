import { createHash } from 'node:crypto';

/**
 * Counts exact duplicates by a 48-bit hash of each example, remembering at most `capacity`
 * hashes so that memory stays bounded (about 40 bytes each); past that, new examples are only
 * compared with those remembered.
 */
export class DuplicateCounter {
  private readonly seen = new Set<number>();
  duplicates = 0;

  constructor(private readonly capacity = 1_000_000) {}

  /** True when the same bytes were seen before. */
  add(data: Uint8Array | string): boolean {
    const hash = createHash('sha1').update(data).digest().readUIntBE(0, 6);
    if (this.seen.has(hash)) {
      this.duplicates++;
      return true;
    }
    if (this.seen.size < this.capacity) this.seen.add(hash);
    return false;
  }
}
