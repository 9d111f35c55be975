import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** How long a closing connection keeps reading what its client still sends, ms. */
export const LINGER_MS = 2000;

/**
 * Lingering close (RFC 9112 §9.6; Apache httpd's `lingering_close`): when Node closes a connection
 * after its last answer (`Connection: close`, e.g. a 413 or 408 sent before the body was read)
 * while the client is still sending, the socket is half-closed (FIN after the answer) and what
 * still arrives is read and dropped until the client closes its side or `lingerMs` pass. Closing
 * at once leaves unread bytes in the kernel's buffer, and the kernel then answers the client with
 * a reset, which a client still writing its body sees before the answer: it gets ECONNRESET or
 * EPIPE instead of the 413 that names the limit. Node's `socket.destroySoon` (called by the HTTP
 * server after a closing answer, and by @hono/node-server after draining 64 MiB) is replaced per
 * connection; Node has no option for this. At most `lingerMs` (default `LINGER_MS`) per closing
 * connection, reading at the client's pace.
 */
export function lingerOnClose(server: Server, lingerMs = LINGER_MS): void {
  server.on('connection', (socket: Socket) => {
    const destroySoon = socket.destroySoon;
    let lingering = false;
    socket.destroySoon = function lingeringDestroySoon(this: Socket) {
      if (lingering) return;
      if (this.destroyed || this.readableEnded) {
        destroySoon.call(this);
        return;
      }
      lingering = true;
      const timer = setTimeout(() => this.destroy(), lingerMs);
      timer.unref();
      this.once('close', () => clearTimeout(timer));
      this.once('end', () => this.destroy());
      this.on('data', () => {});
      this.end();
      this.resume();
    };
  });
}
