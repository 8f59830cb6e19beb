import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@depot/core';

const users = new WeakMap<IncomingMessage, string>();
const repos = new WeakMap<IncomingMessage, string>();

/** Remembers who made the request, for its request event. */
export function setRequestUser(req: IncomingMessage, username: string): void {
  users.set(req, username);
}

/** Who made the request, once authenticated. */
export const requestUser = (req: IncomingMessage): string | undefined => users.get(req);

/** Remembers which repository the request acted on, for its audit event. */
export function setRequestRepo(req: IncomingMessage, repo: string): void {
  repos.set(req, repo);
}

/** The repository the request acted on, when the dispatch named one. */
export const requestRepo = (req: IncomingMessage): string | undefined => repos.get(req);

/**
 * Emits one `depot.request` event per request when the response closes (architecture.md
 * "Logging": request_id, username, ip, method, path, status, elapsed_ns, bytes_recv, bytes_sent).
 * The path is logged without its query string (which may carry tokens).
 */
export function trackRequestEvent(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  sink: Logger,
  enabled: () => boolean,
): void {
  if (!enabled()) return;
  const started = process.hrtime.bigint();
  const socket = req.socket;
  const readBefore = socket.bytesRead;
  const writtenBefore = socket.bytesWritten;
  res.once('close', () => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    sink.info(
      {
        request_id: requestId,
        username: users.get(req) ?? 'anonymous',
        ip: socket.remoteAddress ?? '',
        method: req.method ?? '',
        path: q < 0 ? url : url.slice(0, q),
        status: res.statusCode,
        elapsed_ns: Number(process.hrtime.bigint() - started),
        bytes_recv: socket.bytesRead - readBefore,
        bytes_sent: socket.bytesWritten - writtenBefore,
      },
      'depot.request',
    );
  });
}
