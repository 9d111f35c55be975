/**
 * Binary files a person uploads as CSV or JSONL by mistake, recognized by their first bytes
 * (the signatures in each format's specification, as `file(1)`'s magic database lists them).
 */
const SIGNATURES: ReadonlyArray<{
  readonly name: string;
  readonly at: number;
  readonly bytes: readonly number[];
  /** Bytes that must also match at another offset (RIFF…WEBP). */
  readonly also?: { readonly at: number; readonly bytes: readonly number[] };
  readonly hint: string;
}> = [
  {
    name: 'a zip archive',
    at: 0,
    bytes: [0x50, 0x4b, 0x03, 0x04],
    hint: 'a zip of image class folders is format image_folder_zip; an Excel workbook (.xlsx is a zip) must be saved as CSV first',
  },
  {
    name: 'an empty zip archive',
    at: 0,
    bytes: [0x50, 0x4b, 0x05, 0x06],
    hint: 'the zip holds no files',
  },
  {
    name: 'a gzip file',
    at: 0,
    bytes: [0x1f, 0x8b],
    hint: 'decompress it and upload the CSV or JSONL inside',
  },
  {
    name: 'an old Excel or Office file (.xls)',
    at: 0,
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    hint: 'save it as CSV (UTF-8) first',
  },
  {
    name: 'a PDF document',
    at: 0,
    bytes: [0x25, 0x50, 0x44, 0x46, 0x2d],
    hint: 'export the table as CSV',
  },
  {
    name: 'a Parquet file',
    at: 0,
    bytes: [0x50, 0x41, 0x52, 0x31],
    hint: 'export it as CSV or JSON Lines',
  },
  {
    name: 'a 7-Zip archive',
    at: 0,
    bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c],
    hint: 'extract it',
  },
  { name: 'a RAR archive', at: 0, bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], hint: 'extract it' },
  ...[
    { name: 'a PNG image', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
    { name: 'a JPEG image', bytes: [0xff, 0xd8, 0xff] },
    { name: 'a GIF image', bytes: [0x47, 0x49, 0x46, 0x38] },
  ].map((image) => ({
    ...image,
    at: 0,
    hint: 'images go in a zip of class folders, uploaded as format image_folder_zip',
  })),
  {
    name: 'a WebP image',
    at: 0,
    bytes: [0x52, 0x49, 0x46, 0x46],
    also: { at: 8, bytes: [0x57, 0x45, 0x42, 0x50] },
    hint: 'images go in a zip of class folders, uploaded as format image_folder_zip',
  },
  {
    name: 'an ISO media file (HEIC/AVIF image or MP4 video)',
    at: 4,
    bytes: [0x66, 0x74, 0x79, 0x70],
    hint: 'images go in a zip of class folders, uploaded as format image_folder_zip',
  },
];

/** Bytes of a file's start that `binaryFormatOf` needs to see. */
export const SIGNATURE_BYTES = 16;

const matches = (head: Uint8Array, at: number, bytes: readonly number[]) =>
  head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b);

/**
 * What binary format `head` (the file's first `SIGNATURE_BYTES` bytes) is, with how to upload it
 * instead, or `undefined` when it starts like none of them (text, most likely).
 */
export function binaryFormatOf(
  head: Uint8Array,
): { readonly name: string; readonly hint: string; readonly signature: string } | undefined {
  const found = SIGNATURES.find(
    (s) => matches(head, s.at, s.bytes) && (!s.also || matches(head, s.also.at, s.also.bytes)),
  );
  if (!found) return undefined;
  const end = Math.max(
    4,
    found.at + found.bytes.length,
    found.also ? found.also.at + found.also.bytes.length : 0,
  );
  const signature = [...head.subarray(0, end)]
    .map((b) => b.toString(16).padStart(2, '0').toUpperCase())
    .join(' ');
  return { name: found.name, hint: found.hint, signature };
}
