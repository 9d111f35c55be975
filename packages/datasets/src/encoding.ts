import iconv from 'iconv-lite';

/**
 * Text encodings of uploaded files. Decoding is iconv-lite's: Node 20's `TextDecoder` reads
 * `windows-1252` as ISO-8859-1 (0x80 becomes U+0080, not `€`), which is exactly the byte Excel on
 * Windows writes for the euro sign.
 */

/** Whether iconv-lite knows an encoding label (`utf-8`, `windows-1252`, `latin1`, `utf-16le`, …). */
export function encodingExists(label: string): boolean {
  return iconv.encodingExists(label);
}

/** Whether a label names UTF-8 (`utf-8`, `utf8`, `UTF-8`). */
export function isUtf8(label: string): boolean {
  return /^utf-?8$/i.test(label);
}

/** The encoding a byte-order mark announces: UTF-16 as Excel's "Unicode text" writes it, else undefined. */
export function bomEncoding(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** Decodes `bytes` (a whole file or its start) to text, dropping a BOM. */
export function decodeText(bytes: Uint8Array, encoding: string): string {
  return iconv.decode(Buffer.from(bytes), encoding);
}

/**
 * Re-encodes a stream of text in `encoding` as UTF-8 bytes, chunk by chunk (characters cut
 * between chunks are carried by the decoder). A BOM is dropped.
 */
export async function* toUtf8(
  source: AsyncIterable<Uint8Array>,
  encoding: string,
): AsyncGenerator<Buffer> {
  const decoder = iconv.getDecoder(encoding);
  for await (const chunk of source) {
    const text = decoder.write(Buffer.from(chunk));
    if (text) yield Buffer.from(text, 'utf8');
  }
  const rest = decoder.end();
  if (rest) yield Buffer.from(rest, 'utf8');
}

/**
 * The first `bytes` bytes of a stream (all of it when shorter; `whole` says so), and a stream that
 * yields every byte again from the start: sniffing reads the head without a second S3 request.
 */
export async function peek(
  source: AsyncIterable<Uint8Array>,
  bytes: number,
): Promise<{ head: Buffer; whole: boolean; stream: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let whole = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      whole = true;
      break;
    }
    chunks.push(next.value);
    size += next.value.length;
  }
  async function* stream() {
    yield* chunks;
    chunks.length = 0;
    if (whole) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      yield next.value;
  }
  return { head: Buffer.concat(chunks).subarray(0, bytes), whole, stream: stream() };
}
