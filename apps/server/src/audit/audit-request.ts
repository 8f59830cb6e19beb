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
 * Audits one write or delete when its response closes: every request that is not GET, HEAD or
 * OPTIONS, on the admin API and the artifact surface alike, whatever the outcome. Reads are not
 * audited (the access log has them) and cost nothing here; refused credentials are recorded where
 * they are refused ({@link auditFailedCredentials}).
 */
export function auditRequest(
  audit: AuditLog,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  requestId: string,
): void {
  const method = (req.method ?? 'GET').toUpperCase();
  if (READS.has(method)) return;
  res.once('close', () => {
    const status = res.headersSent ? res.statusCode : 0;
    // Refused credentials were recorded as `login.failed` when they were refused.
    if (status === 401 && req.headers.authorization !== undefined) return;
    const repo = requestRepo(req) ?? API_REPO.exec(path)?.[1] ?? REPOSITORY.exec(path)?.[1];
    record(audit, req, {
      action: method,
      target: path,
      outcome: status,
      requestId,
      ...(repo === undefined ? {} : { repo }),
    });
  });
}

/** Records a request whose credentials were refused (`login.failed`, 401), naming the user it claimed. */
export function auditFailedCredentials(audit: AuditLog, req: IncomingMessage, path: string): void {
  const requestId = req.headers['x-request-id'];
  record(audit, req, {
    action: 'login.failed',
    target: path,
    outcome: 401,
    ...(typeof requestId === 'string' ? { requestId } : {}),
  });
}

function record(
  audit: AuditLog,
  req: IncomingMessage,
  event: { action: string; target: string; outcome: number; requestId?: string; repo?: string },
): void {
  const agent = req.headers['user-agent'];
  audit.record({
    actor: requestUser(req) ?? basicUser(req.headers.authorization) ?? 'anonymous',
    action: event.action,
    target: event.target,
    ...(event.repo === undefined ? {} : { repo: decodeURIComponent(event.repo) }),
    ip: req.socket.remoteAddress ?? '',
    ...(agent === undefined ? {} : { user_agent: agent.slice(0, 256) }),
    outcome: event.outcome,
    ...(event.requestId === undefined ? {} : { request_id: event.requestId }),
  });
}
