import {
  PayloadTooLargeError,
  RequestTimeoutError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '@trainyard/shared';
import type { Context, MiddlewareHandler } from 'hono';

export interface BodyBoundsOptions {
  /** Largest body, in bytes. */
  readonly maxBytes: number;
  /** The configuration variable that sets `maxBytes`, named in the 413's message. */
  readonly maxBytesVariable: string;
  /** Deepest nesting of arrays and objects in a JSON body. */
  readonly maxJsonDepth: number;
  /** Milliseconds the whole body may take to arrive (408 past it). */
  readonly timeoutMs: number;
  /**
   * Routes that stream their body on, with their own size cap (the raw dataset upload): their body
   * is not read here and not capped by `maxBytes`; `timeoutMs` bounds each pause between chunks.
   */
  readonly streaming?: (c: Context) => boolean;
  /**
   * Whether the app's routes read the body only from `c.get('body')` (the inference function):
   * then the request is not rebuilt around the bytes read. Rebuilding it costs a whole fetch
   * `Request` (and an `AbortSignal`) per request, about as much as the rest of a one-row
   * prediction. Default false: `c.req.json()` and the like keep working.
   */
  readonly bytesOnly?: boolean;
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bounds every request body: refuses one over `maxBytes` (413 naming the limit and the size
 * received, from `Content-Length` before anything is read, or once the bytes read pass the limit,
 * so a huge body is never buffered whole), one that has not arrived within `timeoutMs` (408), and
 * JSON nested deeper than `maxJsonDepth` (400, checked on the text before anything parses it), and
 * a JSON body that is not valid UTF-8 (400 `invalid_utf8`, naming the first bad byte), and a body
 * with a `Content-Encoding` other than `identity` (415, naming the header). A bounded body is read here, so its errors are ours whatever the route then parses it as.
 */
export function bodyBounds(options: BodyBoundsOptions): MiddlewareHandler {
  const { maxBytes, maxBytesVariable, maxJsonDepth, timeoutMs } = options;
  return async function bodyBounds(c, next) {
    const raw = c.req.raw;
    const declared = raw.headers.get('content-length');
    // A GET or HEAD has no body to bound, even one that declares `Content-Length: 0`. Asking a
    // Node request for its `body` stream builds a whole fetch Request around it: not for a body
    // whose length is declared (read below without the stream).
    if (raw.method === 'GET' || raw.method === 'HEAD') return next();
    if (declared === null && !raw.body) return next();
    // No decoder for compressed bodies: a gzip body read as JSON would fail as "not valid JSON",
    // and a plain body wrongly labelled gzip would pass unseen. Either way the header is refused
    // by name (RFC 9110 §15.5.16: 415 for a content coding the server does not take).
    const coding = raw.headers.get('content-encoding')?.trim().toLowerCase();
    if (coding && coding !== 'identity') {
      throw new UnsupportedMediaTypeError(
        `Content-Encoding ${JSON.stringify(coding)}: this server reads request bodies as sent (identity) only; send the body uncompressed, without the header`,
        { param: 'Content-Encoding' },
      );
    }
    if (options.streaming?.(c)) {
      c.req.raw = new Request(raw, {
        body: withPauseLimit(raw.body!, timeoutMs),
        duplex: 'half',
      } as RequestInit);
      return next();
    }
    if (declared !== null && Number(declared) > maxBytes) {
      throw new PayloadTooLargeError(
        `The body is ${declared} bytes; this server takes at most ${maxBytes} bytes per request (${maxBytesVariable})`,
        { param: 'body' },
      );
    }
    const contentType = raw.headers.get('content-type') ?? '';
    const type = contentType.split(';')[0]!.trim();
    if (JSON_TYPE.test(type)) refuseOtherCharset(contentType);
    // A declared length within the limit bounds the body (the HTTP layer reads no more than it
    // declares), so it is read in one call; a body without one is counted as it arrives.
    const bytes =
      declared !== null
        ? await readDeclared(raw, timeoutMs)
        : await readBounded(raw.body!, maxBytes, maxBytesVariable, timeoutMs);
    if (JSON_TYPE.test(type)) {
      // JSON text is UTF-8 (RFC 8259): a body that is not is refused, not read with U+FFFD in
      // place of its bad bytes. The text is what the route's `c.req.json()`/`text()` then reads.
      let text: string;
      try {
        text = strictUtf8.decode(bytes);
      } catch {
        throw invalidUtf8(bytes);
      }
      // Hono keeps the promise of each body read (its type says the value).
      (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
      const depth = jsonDepth(bytes);
      if (depth > maxJsonDepth) {
        throw new ValidationError(
          `The JSON body nests ${depth} levels deep; at most ${maxJsonDepth} levels of arrays and objects are accepted (MAX_JSON_DEPTH)`,
          { code: 'json_too_deep', param: 'body' },
        );
      }
    }
    c.set('body', bytes);
    if (options.bytesOnly) return next();
    c.req.raw = new Request(raw.url, {
      method: raw.method,
      headers: raw.headers,
      body: bytes,
      signal: raw.signal,
      duplex: 'half',
    } as RequestInit);
    return next();
  };
}

/** A body of declared length, whole, or a 408 past `timeoutMs`. */
async function readDeclared(raw: Request, timeoutMs: number): Promise<Uint8Array> {
  let timer: NodeJS.Timeout | undefined;
  const reading = raw.arrayBuffer();
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new RequestTimeoutError(
            `The body did not arrive within ${timeoutMs} ms; send it at once (BODY_TIMEOUT_MS)`,
            { param: 'body' },
          ),
        ),
      timeoutMs,
    );
  });
  // The connection closes after a 408; the read then fails, and nobody waits for it.
  reading.catch(() => {});
  try {
    return new Uint8Array(await Promise.race([reading, timedOut]));
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a body whole, failing once it passes `maxBytes` or `timeoutMs` (and cancelling the rest). */
async function readBounded(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  variable: string,
  timeoutMs: number,
): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new RequestTimeoutError(
            `The body did not arrive within ${timeoutMs} ms (${size} bytes received); send it at once (BODY_TIMEOUT_MS)`,
            { param: 'body' },
          ),
        ),
      timeoutMs,
    );
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), timedOut]);
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        throw new PayloadTooLargeError(
          `The body is over ${maxBytes} bytes (${size} received before it was cut off); this server takes at most ${maxBytes} bytes per request (${variable})`,
          { param: 'body' },
        );
      }
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The same stream, failing with a 408 when no chunk comes for `pauseMs`. */
function withPauseLimit(
  body: ReadableStream<Uint8Array>,
  pauseMs: number,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: NodeJS.Timeout | undefined;
      const paused = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new RequestTimeoutError(
                `The body stopped arriving: no bytes for ${pauseMs} ms (BODY_TIMEOUT_MS)`,
                { param: 'body' },
              ),
            ),
          pauseMs,
        );
      });
      try {
        const { done, value } = await Promise.race([reader.read(), paused]);
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        reader.cancel().catch(() => {});
        controller.error(error);
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * The deepest nesting of arrays and objects in JSON text, by one pass over its bytes (brackets
 * inside strings do not count), so that no parser recurses into a hostile body.
 */
export function jsonDepth(bytes: Uint8Array): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Refuses (415 `unsupported_media_type`) a JSON body labelled with a charset other than UTF-8
 * (`application/json; charset=iso-8859-1`): JSON exchanged between systems is UTF-8 (RFC 8259
 * §8.1), and reading such a body as UTF-8 anyway would store its accented letters as other
 * characters or refuse it as bad UTF-8 with a misleading message. No charset, or `utf-8`/`utf8`
 * (or `us-ascii`, a subset) in any case and quoted or not, passes.
 */
function refuseOtherCharset(contentType: string): void {
  const match = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType);
  if (!match) return;
  const charset = match[1]!;
  // US-ASCII text is UTF-8 text as it is.
  if (/^(utf-?8|us-ascii|ascii)$/i.test(charset)) return;
  throw new UnsupportedMediaTypeError(
    `Content-Type ${JSON.stringify(contentType)} declares charset ${JSON.stringify(charset)}; expected JSON encoded as UTF-8 (charset=utf-8, or no charset)`,
    { param: 'Content-Type' },
  );
}

/** The 400 of a JSON body that is not UTF-8, naming the offset and value of its first bad byte. */
function invalidUtf8(bytes: Uint8Array): ValidationError {
  const at = firstInvalidUtf8(bytes);
  const byte = bytes[at];
  const what =
    byte === undefined
      ? `the body ends inside a multi-byte character (at byte ${at})`
      : `byte ${at} (0x${byte.toString(16).padStart(2, '0')}) starts no valid UTF-8 character`;
  return new ValidationError(
    `The body is not valid UTF-8: ${what}; expected JSON text encoded as UTF-8`,
    { code: 'invalid_utf8', param: 'body' },
  );
}

/**
 * The offset of the first byte of `bytes` that is not part of a well-formed UTF-8 sequence
 * (overlong forms, surrogates and code points past U+10FFFF included), or `bytes.length` when the
 * text ends inside a sequence. Only called once a strict decoder has refused the bytes.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // The length of the sequence and the range its second byte must be in (Unicode table 3-7).
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    if (i + length > bytes.length) {
      for (let k = i + 1; k < bytes.length; k++) {
        const c = bytes[k]!;
        if (c < (k === i + 1 ? low : 0x80) || c > (k === i + 1 ? high : 0xbf)) return i;
      }
      return bytes.length;
    }
    for (let k = i + 1; k < i + length; k++) {
      const c = bytes[k]!;
      if (c < (k === i + 1 ? low : 0x80) || c > (k === i + 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return bytes.length;
}
