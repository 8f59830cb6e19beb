import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

const HOST = /^[A-Za-z0-9.\-[\]:]+$/;

/**
 * The external base URL as the client sees it: scheme from the listener, host from `Host`.
 * `X-Forwarded-Proto`/`X-Forwarded-Host` count only when the peer is a trusted proxy
 * (RELIABILITY §4.1 #9); anything that is not a plain host is ignored (no header injection).
 */
export function baseUrl(req: IncomingMessage, tls: boolean, trusted: ReadonlySet<string>): string {
  let proto = tls ? 'https' : 'http';
  let host = req.headers.host ?? '';
  // A request destroyed mid-body (an oversized upload) has no socket left.
  const socket = req.socket as Socket | null;
  if (trusted.has(socket?.remoteAddress ?? '')) {
    const fp = String(req.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]
      ?.trim()
      .toLowerCase();
    if (fp === 'http' || fp === 'https') proto = fp;
    const fh =
      String(req.headers['x-forwarded-host'] ?? '')
        .split(',')[0]
        ?.trim() ?? '';
    if (fh !== '' && HOST.test(fh)) host = fh;
  }
  if (!HOST.test(host)) host = `${socket?.localAddress ?? 'localhost'}:${socket?.localPort ?? ''}`;
  return `${proto}://${host}`;
}
