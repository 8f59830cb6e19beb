import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestRepo, requestUser } from '../http/request-events.js';
import type { AuditLog } from './audit-log.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const API_REPO = /^\/api\/v1\/repositories\/([^/]+)/;
const REPOSITORY = /^\/repository\/([^/]+)/;

/** The user name in a Basic header (for failed logins, where no user was authenticated). */
function basicUser(header: string | undefined): string | undefined {
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? decoded.slice(0, colon).slice(0, 256) : undefined;
}

/**
 * Audits one request when its response closes: every write and delete (any method but GET, HEAD
 * and OPTIONS, on the admin API and the artifact surface alike, whatever the outcome), and every
 * refused credential (`login.failed`). Reads are not audited: the access log has them.
 */
export function auditRequest(
  audit: AuditLog,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  requestId: string,
): void {
  const method = (req.method ?? 'GET').toUpperCase();
  const credentialed = req.headers.authorization !== undefined;
  if (READS.has(method) && !credentialed) return;
  res.once('close', () => {
    const status = res.headersSent ? res.statusCode : 0;
    const failedLogin = credentialed && status === 401;
    if (READS.has(method) && !failedLogin) return;
    const repo = requestRepo(req) ?? API_REPO.exec(path)?.[1] ?? REPOSITORY.exec(path)?.[1];
    const agent = req.headers['user-agent'];
    audit.record({
      actor: requestUser(req) ?? basicUser(req.headers.authorization) ?? 'anonymous',
      action: failedLogin ? 'login.failed' : method,
      target: path,
      ...(repo === undefined ? {} : { repo: decodeURIComponent(repo) }),
      ip: req.socket.remoteAddress ?? '',
      ...(agent === undefined ? {} : { user_agent: agent.slice(0, 256) }),
      outcome: status,
      request_id: requestId,
    });
  });
}
