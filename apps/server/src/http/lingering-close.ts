import type { IncomingMessage } from 'node:http';

/** How long, and how many more bytes, an unread request body is drained after an early answer. */
const LINGER_MS = 2000;
const LINGER_BYTES = 8 * 1024 * 1024;

/**
 * Call before answering a request whose body is still arriving (413, 401 on an upload …). The
 * response says `Connection: close`; Node then closes the socket at once, and a client still
 * writing its body gets a reset instead of the answer (curl: "connection reset" rather than the
 * 413). So the close lingers, as nginx does: send FIN, keep reading and discarding up to
 * {@link LINGER_BYTES} for up to {@link LINGER_MS}, then destroy.
 */
export function lingerOnClose(req: IncomingMessage): void {
  const socket = req.socket as IncomingMessage['socket'] | null;
  if (req.complete || socket === null || socket.destroyed) return;
  const start = socket.bytesRead;
  socket.destroySoon = function lingeringDestroySoon(this: typeof socket): void {
    this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    this.on('data', () => {
      if (this.bytesRead - start > LINGER_BYTES) this.destroy();
    });
  };
}
