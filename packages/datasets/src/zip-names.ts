import yauzl from 'yauzl';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The raw name bytes and the fields of a central-directory record that say how to read them. */
export type NamedEntry = Pick<yauzl.Entry, 'generalPurposeBitFlag' | 'extraFields'> & {
  readonly fileNameRaw: Uint8Array;
};

/** How a name was decoded: the rule that applied, for reports and tests. */
export type NameEncoding = 'utf8_flag' | 'unicode_path_field' | 'utf8_unflagged' | 'cp437';

/**
 * Decodes an entry's name the way the zip format says (PKWARE APPNOTE 4.4.4), then normalizes
 * it to Unicode NFC, so that a class folder's name equals what the user types:
 *
 * 1. General purpose bit 11 set: the bytes are UTF-8.
 * 2. An Info-ZIP Unicode Path extra field (0x7075, version 1) whose CRC-32 matches the raw name:
 *    the field's UTF-8 name (what Info-ZIP zip and 7-Zip write beside a legacy name). yauzl's
 *    `getFileNameLowLevel` does 1 and 2; it is used here, not re-implemented.
 * 3. No flag, no field, and the bytes are valid UTF-8 with at least one multi-byte sequence:
 *    UTF-8. macOS Archive Utility and Finder write UTF-8 (NFD) names without the flag; Info-ZIP
 *    unzip, 7-Zip and macOS read such names as UTF-8 too. CP437 text is almost never valid
 *    UTF-8 (a lead byte would have to be a box-drawing character followed by accented letters),
 *    so this rarely misreads a real CP437 name.
 * 4. Otherwise CP437, the format's default and what Windows Explorer writes.
 *
 * Backslashes are left as they are (the caller maps them to `/`). Returns the name and the rule.
 */
export function decodeEntryName(entry: NamedEntry): { name: string; encoding: NameEncoding } {
  const raw = Buffer.from(entry.fileNameRaw);
  const flagged = (entry.generalPurposeBitFlag & 0x800) !== 0;
  const decoded = yauzl.getFileNameLowLevel(
    entry.generalPurposeBitFlag,
    raw,
    entry.extraFields,
    true,
  );
  if (flagged) return { name: decoded.normalize('NFC'), encoding: 'utf8_flag' };
  const cp437 = yauzl.getFileNameLowLevel(0, raw, [], true);
  if (decoded !== cp437) return { name: decoded.normalize('NFC'), encoding: 'unicode_path_field' };
  if (raw.some((b) => b >= 0x80)) {
    try {
      return { name: strictUtf8.decode(raw).normalize('NFC'), encoding: 'utf8_unflagged' };
    } catch {
      // Not UTF-8: CP437 below.
    }
  }
  return { name: cp437.normalize('NFC'), encoding: 'cp437' };
}
