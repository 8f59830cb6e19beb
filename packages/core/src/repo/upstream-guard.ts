import { DepotError } from '../errors/depot-error.js';
import type { RepositoryRecord } from '../kv/records.js';
import type { Logger } from '../logger.js';
import { classifyHost } from '../net/address-class.js';
import type { UpstreamFetch } from './engine.js';

/** The most redirects one upstream request follows; one more is an upstream error. */
export const MAX_UPSTREAM_REDIRECTS = 5;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * True when `host` (`hostname` or `hostname:port` of a redirect target) matches an entry of
 * `upstream_redirect_hosts`: `cdn.example.com` (any port), `cdn.example.com:8443` (that port) or
 * `*.example.com` (any subdomain, any port).
 */
export function redirectHostListed(target: URL, allowed: readonly string[]): boolean {
  const hostname = target.hostname.toLowerCase();
  return allowed.some((raw) => {
    const entry = raw.toLowerCase();
    if (entry.startsWith('*.')) return hostname.endsWith(entry.slice(1));
    return entry === hostname || entry === target.host.toLowerCase();
  });
}

/** The scheme, host and port of a URL, without userinfo, path or query (safe to log). */
const origin = (url: URL): string => url.origin;

/** Why a redirect to `target` (from a request to one of `origins`) may not be followed, or null when it may. */
function refusal(repo: RepositoryRecord, origins: readonly string[], target: URL): string | null {
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return 'redirect to a non-HTTP scheme';
  if (target.username !== '' || target.password !== '') return 'redirect carries credentials';
  if (origins.includes(target.origin)) return null;
  if (!redirectHostListed(target, repo.upstream_redirect_hosts ?? [])) {
    return 'redirect to another host (not in upstream_redirect_hosts)';
  }
  // A listed name is fine (its addresses are checked when connecting); an IP literal that is not
  // public must be listed as that literal, never reached through a wildcard.
  const cls = classifyHost(target.hostname);
  const exact = (repo.upstream_redirect_hosts ?? []).map((h) => h.toLowerCase());
  if (cls !== 'public' && cls !== 'name' && !exact.includes(target.hostname) && !exact.includes(target.host)) {
    return `redirect to a ${cls} address`;
  }
  return null;
}

/** What an `offline` cache repository answers for a path it does not hold. */
export function offlineMiss(repo: RepositoryRecord, path: string): DepotError {
  return new DepotError('NOT_FOUND', `${path} is not cached and repository ${repo.name} is offline`, {
    details: { repo: repo.name, path, offline: true },
  });
}

/**
 * Wraps the fetch of one cache repository's upstream so redirects are followed by hand: at most
 * {@link MAX_UPSTREAM_REDIRECTS}, only to the `upstream_url`'s own scheme, host and port or to a
 * host listed in `upstream_redirect_hosts` (the origin of the first request counts as the
 * upstream's own too: a registry's token realm). Credentials (`Authorization`, from
 * `upstream_auth` or a Bearer token) go only to the origin the request was first sent to, never
 * along a redirect elsewhere.
 * A refused redirect is logged with the repository name and the target's origin, and fails
 * with `UPSTREAM_ERROR`. Every upstream request, the engine's and a format's, goes through it.
 */
export function guardUpstreamFetch(fetch: UpstreamFetch, repo: RepositoryRecord, logger: Logger): UpstreamFetch {
  return async (url, init) => {
    let current = new URL(url);
    if (repo.offline === true) throw offlineMiss(repo, current.pathname);
    // Userinfo (a record written before it was moved to upstream_auth) is never sent, so it can
    // never appear in a fetch error or a log line either.
    current.username = '';
    current.password = '';
    const first = current.origin;
    const origins = [first, ...(repo.upstream_url === undefined ? [] : [new URL(repo.upstream_url).origin])];
    let method = (init.method ?? 'GET').toUpperCase();
    let headers = new Headers(init.headers);
    for (let hop = 0; ; hop++) {
      const response = await fetch(current.toString(), { ...init, method, headers, redirect: 'manual' });
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null) return response;
      await response.body?.cancel().catch(() => undefined);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw fail(logger, repo, 'redirect to an unparsable location', null);
      }
      if (hop + 1 > MAX_UPSTREAM_REDIRECTS) throw fail(logger, repo, 'too many redirects', next);
      const why = refusal(repo, origins, next);
      if (why !== null) throw fail(logger, repo, why, next);
      if (next.origin !== first) headers = withoutAuthorization(headers);
      if (response.status === 303 && method !== 'GET' && method !== 'HEAD') method = 'GET';
      current = next;
    }
  };
}

function withoutAuthorization(headers: Headers): Headers {
  const copy = new Headers(headers);
  copy.delete('authorization');
  return copy;
}

function fail(logger: Logger, repo: RepositoryRecord, reason: string, target: URL | null): DepotError {
  const details = { repo: repo.name, ...(target === null ? {} : { target: origin(target) }), reason };
  logger.warn(details, 'refusing upstream redirect');
  return new DepotError('UPSTREAM_ERROR', `upstream ${reason}`, { details });
}
