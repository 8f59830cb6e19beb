import { accessDenied } from '../auth/access-denied.js';
import type { Principal, RepoAction } from '../auth/principal.js';
import { DepotError } from '../errors/depot-error.js';
import type { FormatRequest } from '../format/format.js';

/**
 * What a request needs before its format sees it (see `FormatRuntime.access`):
 * - a {@link RepoAction}: that grant on the request's repository (`/repository/{repo}/…` only);
 * - `{ action, repo }`: that grant on a named repository (a mount that knows its repository);
 * - `'authenticated'`: any signed-in caller (anonymous → 401);
 * - `'public'`: nothing; the format itself authenticates (npm login, token endpoints).
 */
export type AccessRule =
  | RepoAction
  | 'authenticated'
  | 'public'
  | { readonly action: RepoAction; readonly repo: string };

/**
 * The action a method needs on a repository when the format declares nothing: `read` for GET,
 * HEAD and OPTIONS, `delete` for DELETE, `write` for everything else (PUT, POST, PATCH and any
 * method not listed, so an unknown method is never treated as a read).
 */
export function defaultAction(method: string): RepoAction {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'read';
  if (method === 'DELETE') return 'delete';
  return 'write';
}

/** True for methods that change state (everything but GET, HEAD and OPTIONS). */
export const isMutating = (method: string): boolean => defaultAction(method) !== 'read';

/**
 * The one access check: throws unless `principal` may perform `action` on the repository named
 * `repo`. Anonymous callers get `UNAUTHORIZED` (clients then retry with credentials and the
 * renderer adds the protocol's challenge), everyone else `FORBIDDEN`.
 */
export function requireAccess(principal: Principal, action: RepoAction, repo: string): void {
  if (!principal.can(action, repo)) throw accessDenied(principal, action, repo);
}

/**
 * {@link requireAccess} for a repository request's caller on its repository: what a format calls
 * for checks beyond the dispatcher's (an npm publish that also removes versions needs `delete`).
 */
export function requireRepoAccess(req: Pick<FormatRequest, 'principal' | 'repo'>, action: RepoAction): void {
  requireAccess(req.principal, action, req.repo.name);
}

/** Throws `UNAUTHORIZED` for the anonymous principal. */
export function requireAuthenticated(principal: Principal): void {
  if (principal.anonymous) throw new DepotError('UNAUTHORIZED', 'authentication required');
}

/**
 * Enforces `rule` for `principal`; `repo` is the request's repository (absent on mounts, where a
 * bare {@link RepoAction} cannot be checked and is refused as a format bug).
 */
export function enforceAccess(rule: AccessRule, principal: Principal, repo: string | undefined): void {
  if (rule === 'public') return;
  if (rule === 'authenticated') {
    requireAuthenticated(principal);
    return;
  }
  if (typeof rule === 'object') {
    requireAccess(principal, rule.action, rule.repo);
    return;
  }
  if (repo === undefined) {
    throw new DepotError('INTERNAL_ERROR', `access rule "${rule}" needs a repository; mounts must name it`);
  }
  requireAccess(principal, rule, repo);
}
