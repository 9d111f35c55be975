import { FatalDatasetError } from './report';
import { countNewlines, scanUtf8 } from './utf8';

function invalidUtf8(
  line: number,
  byte: number,
  value: number,
  offset: number,
  hint: string,
): FatalDatasetError {
  return new FatalDatasetError(
    'invalid_utf8',
    `line ${line}: byte 0x${value.toString(16).padStart(2, '0')} at byte ${byte + 1} of the line (byte ${offset + 1} of the file) is not valid UTF-8; expected UTF-8 text (${hint})`,
    `line ${line}`,
  );
}

/**
 * Passes bytes through unchanged, stopping with an error that names the line, the byte in it and
 * the byte offset in the file at the first byte that is not UTF-8; `hint` says how to fix it
 * (default: save the file as UTF-8). Memory: one chunk plus at most 3 bytes carried between chunks.
 */
export async function* utf8Checked(
  source: AsyncIterable<Uint8Array>,
  hint = 'save the file as UTF-8',
): AsyncGenerator<Buffer> {
  let carry = Buffer.alloc(0);
  let offset = 0; // file offset of bytes[0]
  let line = 1;
  let lineStart = 0; // bytes since the last newline, for the column in the message
  for await (const chunk of source) {
    const bytes = carry.length ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
    const { invalidAt, incompleteAt } = scanUtf8(bytes, false);
    if (invalidAt >= 0) {
      const before = bytes.subarray(0, invalidAt);
      const lastNl = before.lastIndexOf(0x0a);
      const column = lastNl >= 0 ? invalidAt - lastNl - 1 : lineStart + invalidAt;
      throw invalidUtf8(
        line + countNewlines(before),
        column,
        bytes[invalidAt]!,
        offset + invalidAt,
        hint,
      );
    }
    const complete = incompleteAt >= 0 ? bytes.subarray(0, incompleteAt) : bytes;
    carry = incompleteAt >= 0 ? Buffer.from(bytes.subarray(incompleteAt)) : Buffer.alloc(0);
    offset += complete.length;
    line += countNewlines(complete);
    const lastNl = complete.lastIndexOf(0x0a);
    lineStart = lastNl >= 0 ? complete.length - lastNl - 1 : lineStart + complete.length;
    if (complete.length) yield complete;
  }
  if (carry.length) throw invalidUtf8(line, lineStart, carry[0]!, offset, hint);
}

/**
 * The lines of a UTF-8 byte stream (`\n` or `\r\n`), numbered from 1, with a leading BOM dropped.
 * A line longer than `maxChars` characters stops with an error: memory stays bounded.
 */
export async function* utf8Lines(
  source: AsyncIterable<Uint8Array>,
  maxChars: number,
): AsyncGenerator<{ text: string; line: number }> {
  let carry = Buffer.alloc(0);
  let line = 1;
  const tooLong = () =>
    new FatalDatasetError(
      'line_too_long',
      `line ${line}: longer than ${maxChars} characters; expected one record per line`,
      `line ${line}`,
    );
  const decode = (bytes: Buffer) => {
    let text = bytes.toString('utf8');
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  };
  for await (const chunk of utf8Checked(source)) {
    const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = bytes.indexOf(0x0a, start); nl !== -1; nl = bytes.indexOf(0x0a, start)) {
      if (nl - start > maxChars * 4) throw tooLong();
      yield { text: decode(bytes.subarray(start, nl)), line };
      line++;
      start = nl + 1;
    }
    carry = Buffer.from(bytes.subarray(start));
    if (carry.length > maxChars * 4) throw tooLong();
  }
  if (carry.length) yield { text: decode(carry), line };
}
