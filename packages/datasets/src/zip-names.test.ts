import { makeZip, unicodePathExtra, type ZipEntry } from '@trainyard/testing';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { decodeEntryName } from './zip-names';

/** Bytes from text (ASCII or UTF-8) and byte values, in order. */
function bytes(...parts: (string | number[])[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
}

/** Each entry's decoded name and rule, read back with yauzl as validation reads zips. */
async function names(entries: ZipEntry[]) {
  const zip = await yauzl.fromBufferPromise(makeZip(entries), {
    lazyEntries: true,
    decodeStrings: false,
  });
  const out: { name: string; encoding: string }[] = [];
  for await (const entry of zip.eachEntry()) out.push(decodeEntryName(entry));
  return out;
}

const image = 'not decoded here';

describe('decodeEntryName', () => {
  it('reads names without the UTF-8 flag as CP437, as Windows Explorer writes them', async () => {
    const entries: ZipEntry[] = [
      // "Äpfel", "España", "Straße", "µm ±", "╔═╗ box": CP437 bytes written by hand.
      { name: 'a', rawName: bytes([0x8e], 'pfel/1.jpg'), utf8Flag: false, data: image },
      { name: 'b', rawName: bytes('Espa', [0xa4], 'a/1.jpg'), utf8Flag: false, data: image },
      { name: 'c', rawName: bytes('Stra', [0xe1], 'e/1.jpg'), utf8Flag: false, data: image },
      { name: 'd', rawName: bytes([0xe6], 'm ', [0xf1], '/1.jpg'), utf8Flag: false, data: image },
      { name: 'e', rawName: bytes([0xc9, 0xcd, 0xbb], ' box/1.jpg'), utf8Flag: false, data: image },
    ];
    expect(await names(entries)).toEqual([
      { name: 'Äpfel/1.jpg', encoding: 'cp437' },
      { name: 'España/1.jpg', encoding: 'cp437' },
      { name: 'Straße/1.jpg', encoding: 'cp437' },
      { name: 'µm ±/1.jpg', encoding: 'cp437' },
      { name: '╔═╗ box/1.jpg', encoding: 'cp437' },
    ]);
  });

  it('reads flagged names as UTF-8: Japanese, Cyrillic, Danish', async () => {
    const entries = ['猫/1.jpg', 'собака/1.jpg', 'smørrebrød/1.jpg'].map((name) => ({
      name,
      data: image,
    }));
    expect(await names(entries)).toEqual([
      { name: '猫/1.jpg', encoding: 'utf8_flag' },
      { name: 'собака/1.jpg', encoding: 'utf8_flag' },
      { name: 'smørrebrød/1.jpg', encoding: 'utf8_flag' },
    ]);
  });

  it('takes the Info-ZIP Unicode Path field when its CRC matches the raw name, else the raw name', async () => {
    const legacy = bytes('?????/1.jpg'); // what a tool writes for a name its code page lacks
    const cp437 = bytes('Espa', [0xa4], 'a/1.jpg');
    const entries: ZipEntry[] = [
      {
        name: 'a',
        rawName: legacy,
        utf8Flag: false,
        extra: unicodePathExtra(legacy, 'Жираф/1.jpg'),
        data: image,
      },
      {
        // Renamed after the field was written: the CRC no longer matches, so the field is stale.
        name: 'b',
        rawName: cp437,
        utf8Flag: false,
        extra: unicodePathExtra(bytes('Espana/1.jpg'), 'Mexico/1.jpg'),
        data: image,
      },
    ];
    expect(await names(entries)).toEqual([
      { name: 'Жираф/1.jpg', encoding: 'unicode_path_field' },
      { name: 'España/1.jpg', encoding: 'cp437' },
    ]);
  });

  it('reads unflagged UTF-8 (macOS) as UTF-8 and normalizes NFD to NFC', async () => {
    const nfd = 'crème brûlée/1.jpg'.normalize('NFD');
    const entries: ZipEntry[] = [
      { name: 'a', rawName: Buffer.from(nfd, 'utf8'), utf8Flag: false, data: image },
      { name: 'b', rawName: Buffer.from('ねこ/1.jpg', 'utf8'), utf8Flag: false, data: image },
      // Flagged NFD (some Linux and macOS tools) is normalized too.
      { name: 'éclair/1.jpg'.normalize('NFD'), data: image },
    ];
    const decoded = await names(entries);
    expect(decoded).toEqual([
      { name: 'crème brûlée/1.jpg', encoding: 'utf8_unflagged' },
      { name: 'ねこ/1.jpg', encoding: 'utf8_unflagged' },
      { name: 'éclair/1.jpg', encoding: 'utf8_flag' },
    ]);
    for (const { name } of decoded) expect(name).toBe(name.normalize('NFC'));
    expect(decoded[0]!.name).not.toBe(nfd);
  });

  it('keeps ASCII names, backslashes included, as they are', async () => {
    const entries: ZipEntry[] = [
      { name: 'a', rawName: bytes('flowers\\daisy\\1.jpg'), utf8Flag: false, data: image },
    ];
    expect(await names(entries)).toEqual([{ name: 'flowers\\daisy\\1.jpg', encoding: 'cp437' }]);
  });
});
