import { maxHeaderSize, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** What Node's HTTP parser reports, and the answer it gets (status, reason, code, message). */
function answerFor(code: string | undefined): [number, string, string, string] {
  if (code === 'HPE_HEADER_OVERFLOW')
    return [
      431,
      'Request Header Fields Too Large',
      'headers_too_large',
      `The request line and headers are over ${maxHeaderSize} bytes, the most this server reads (Node's --max-http-header-size); send fewer or shorter headers`,
    ];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return [
      408,
      'Request Timeout',
      'request_timeout',
      "The request did not arrive whole within the server's request timeout (Node's server.requestTimeout, 300 s); send it faster or use the presigned upload URL",
    ];
  return [
    400,
    'Bad Request',
    'malformed_request',
    `The request is not valid HTTP/1.1 (${code ?? 'parse error'})`,
  ];
}

/**
 * Answers what Node's HTTP parser refuses before the app sees a request (headers over
 * `maxHeaderSize`, a request past `server.requestTimeout`, malformed HTTP) in the API's error
 * shape, `{"error": {"code", "message"}}` with `Connection: close`, where Node's default handler
 * writes a bare status line. The pattern of Node's documentation for the `clientError` event.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason, code, message] = answerFor(error.code);
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
