import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Written as given: tests use names a zip library would refuse (`../x`, `/etc/x`). */
  readonly name: string;
  readonly data: Uint8Array | string;
  /** Deflate (default) or store. */
  readonly deflate?: boolean;
  /** Unix mode in the external attributes (0o120777 makes a symbolic link). */
  readonly mode?: number;
  /**
   * The name's bytes as written, instead of `name` in UTF-8: what a tool with another code page
   * writes (CP437 from Windows Explorer, NFD UTF-8 from macOS). `name` then only says which
   * entry this is (folders end with `/`).
   */
  readonly rawName?: Uint8Array;
  /** General purpose bit 11, "the name is UTF-8" (default true). */
  readonly utf8Flag?: boolean;
  /** Extra field records written in both headers (see `unicodePathExtra`). */
  readonly extra?: Uint8Array;
}

/**
 * An Info-ZIP Unicode Path extra field (0x7075, version 1): `unicodeName` in UTF-8, tied to the
 * header's raw name by the raw name's CRC-32 (a reader ignores the field when the CRC differs).
 */
export function unicodePathExtra(rawName: Uint8Array, unicodeName: string): Buffer {
  const name = Buffer.from(unicodeName, 'utf8');
  const field = Buffer.alloc(9 + name.length);
  field.writeUInt16LE(0x7075, 0);
  field.writeUInt16LE(5 + name.length, 2);
  field.writeUInt8(1, 4);
  field.writeUInt32LE(crc32(rawName), 5);
  name.copy(field, 9);
  return field;
}

/**
 * A zip archive built byte by byte (PKWARE APPNOTE 4.3), so that tests can make hostile archives
 * as well as ordinary ones.
 */
export function makeZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const raw = typeof entry.data === 'string' ? Buffer.from(entry.data) : Buffer.from(entry.data);
    const deflate = entry.deflate ?? true;
    const body = deflate ? deflateRawSync(raw) : raw;
    const name = entry.rawName ? Buffer.from(entry.rawName) : Buffer.from(entry.name, 'utf8');
    const flags = (entry.utf8Flag ?? true) ? 0x800 : 0;
    const extra = Buffer.from(entry.extra ?? []);
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6); // bit 11: the name is UTF-8
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    locals.push(local, name, extra, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode below is read
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(
      ((entry.mode ?? (entry.name.endsWith('/') ? 0o40755 : 0o100644)) << 16) >>> 0,
      38,
    );
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name, extra);
    offset += local.length + name.length + extra.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
