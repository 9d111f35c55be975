/**
 * Index of the first byte that is not part of valid UTF-8 in `bytes`, or -1. A sequence cut by
 * the end of `bytes` is not an error when `final` is false: its start index is returned as
 * `incompleteAt`, to be carried into the next chunk.
 */
export function scanUtf8(
  bytes: Uint8Array,
  final: boolean,
): { invalidAt: number; incompleteAt: number } {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return { invalidAt: i, incompleteAt: -1 };
    }
    if (i + need >= n) {
      // The sequence runs past the end of this chunk.
      for (let k = i + 1; k < n; k++)
        if ((bytes[k]! & 0xc0) !== 0x80) return { invalidAt: i, incompleteAt: -1 };
      return final ? { invalidAt: i, incompleteAt: -1 } : { invalidAt: -1, incompleteAt: i };
    }
    let cp = b & (0xff >> (need + 2));
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return { invalidAt: i, incompleteAt: -1 };
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return { invalidAt: i, incompleteAt: -1 };
    i += need + 1;
  }
  return { invalidAt: -1, incompleteAt: -1 };
}

/** Counts `\n` in `bytes[0, end)`. */
export function countNewlines(bytes: Uint8Array, end = bytes.length): number {
  let lines = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) lines++;
  return lines;
}
