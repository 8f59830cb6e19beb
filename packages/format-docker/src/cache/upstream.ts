import {
  DepotError,
  guardUpstreamFetch,
  isDepotError,
  type Logger,
  type RepositoryRecord,
  type UpstreamFetch,
} from '@depot/core';

/** Realms trusted for an upstream host besides the host itself (Docker Hub's token service). */
const TRUSTED_REALMS: Readonly<Record<string, readonly string[]>> = {
  'registry-1.docker.io': ['auth.docker.io'],
  'index.docker.io': ['auth.docker.io'],
};

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** Talks to a cache repository's upstream registry, doing the Bearer token dance when challenged. */
export interface UpstreamClient {
  /** Requests `path` (e.g. `/v2/library/alpine/manifests/3`) on the upstream of `repo`. */
  request(
    repo: RepositoryRecord,
    path: string,
    init: { method: string; headers?: Record<string, string> },
  ): Promise<Response>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` into its parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g))
    params[(m[1] as string).toLowerCase()] = m[2] as string;
  return { scheme, params };
}

const basic = (repo: RepositoryRecord): string | undefined =>
  repo.upstream_auth === undefined
    ? undefined
    : `Basic ${Buffer.from(`${repo.upstream_auth.username}:${repo.upstream_auth.password ?? ''}`).toString('base64')}`;

/**
 * True when `realm` may receive a token request for `upstream`: the same host (and scheme), or a
 * known token service of that host. Anything else is never contacted, so upstream credentials can
 * never leak to a realm a compromised upstream names (RELIABILITY §1.5, distribution f215e513d).
 */
export function realmTrusted(upstream: URL, realm: URL): boolean {
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') return false;
  if (realm.host === upstream.host) return true;
  if (realm.protocol !== 'https:') return false;
  return (TRUSTED_REALMS[upstream.hostname] ?? []).includes(realm.hostname);
}

/** Sends requests to an upstream registry, answering a Bearer challenge with a token (cached). */
export interface TokenDance {
  /**
   * Sends `init` to `url` (on the upstream of `repo`) through `fetch`: with a cached token for the
   * scope, else Basic credentials; on a 401 Bearer challenge fetches a token from the (trusted)
   * realm and sends once more. `init.signal` is kept on every request. `fetch` must be the
   * repository's guarded fetch (`guardUpstreamFetch`): redirects are followed only as it allows.
   */
  send(fetch: UpstreamFetch, logger: Logger, repo: RepositoryRecord, url: string, init: RequestInit): Promise<Response>;
}

/** The pull scope of the image an upstream URL names (`/v2/<image>/blobs/…`). */
function pullScope(url: string): string {
  const image = /\/v2\/(.+)\/(manifests|blobs|tags|referrers)\//.exec(new URL(url).pathname)?.[1] ?? '';
  return `repository:${image}:pull`;
}

/** Creates a {@link TokenDance}; tokens are cached per repository and scope until they expire. */
export function createTokenDance(now: () => number = Date.now): TokenDance {
  const tokens = new Map<string, CachedToken>();

  async function fetchToken(
    fetch: UpstreamFetch,
    logger: Logger,
    repo: RepositoryRecord,
    challenge: Record<string, string>,
    scope: string,
    signal: AbortSignal | null | undefined,
  ): Promise<CachedToken> {
    const realmText = challenge.realm;
    if (realmText === undefined) throw new DepotError('UPSTREAM_ERROR', 'upstream Bearer challenge has no realm');
    const realm = new URL(realmText);
    if (!realmTrusted(new URL(repo.upstream_url ?? ''), realm)) {
      logger.warn({ repo: repo.name, realm: realm.host }, 'refusing untrusted upstream token realm');
      throw new DepotError('UPSTREAM_ERROR', 'upstream token realm is not on the upstream host');
    }
    if (challenge.service !== undefined) realm.searchParams.set('service', challenge.service);
    realm.searchParams.set('scope', challenge.scope ?? scope);
    const auth = basic(repo);
    const res = await fetch(realm.toString(), {
      method: 'GET',
      headers: auth === undefined ? {} : { Authorization: auth },
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new DepotError('UPSTREAM_ERROR', `upstream token request failed with ${res.status}`);
    }
    const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (typeof token !== 'string') throw new DepotError('UPSTREAM_ERROR', 'upstream token response has no token');
    const ttl = Math.max(30, Math.min(body.expires_in ?? 60, 3600)) - 10;
    return { token, expiresAt: now() + ttl * 1000 };
  }

  return {
    async send(fetch, logger, repo, url, init) {
      if (repo.upstream_url === undefined)
        throw new DepotError('UPSTREAM_ERROR', 'cache repository has no upstream_url');
      const scope = pullScope(url);
      const key = `${repo.name} ${scope}`;
      const attempt = (authorization: string | undefined): Promise<Response> => {
        const headers = new Headers(init.headers);
        if (authorization === undefined) headers.delete('authorization');
        else headers.set('authorization', authorization);
        return fetch(url, { ...init, headers });
      };
      const cached = tokens.get(key);
      const res = await attempt(
        cached !== undefined && cached.expiresAt > now() ? `Bearer ${cached.token}` : basic(repo),
      );
      if (res.status !== 401) return res;
      const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
      await res.body?.cancel();
      if (challenge.scheme !== 'bearer') return attempt(basic(repo));
      const fresh = await fetchToken(fetch, logger, repo, challenge.params, scope, init.signal);
      tokens.set(key, fresh);
      return attempt(`Bearer ${fresh.token}`);
    },
  };
}

/** Creates an {@link UpstreamClient} over `fetch`, sharing `dance` (and its tokens) when given. */
export function createUpstreamClient(
  fetch: UpstreamFetch,
  logger: Logger,
  now: () => number = Date.now,
  dance: TokenDance = createTokenDance(now),
): UpstreamClient {
  return {
    request(repo, path, init) {
      const base = repo.upstream_url;
      if (base === undefined) throw new DepotError('UPSTREAM_ERROR', 'cache repository has no upstream_url');
      const url = base.replace(/\/+$/, '') + path;
      const guarded = guardUpstreamFetch(fetch, repo, logger);
      // A refused connection or a timeout is an upstream failure, not an internal error.
      return dance
        .send(guarded, logger, repo, url, { method: init.method, headers: init.headers ?? {} })
        .catch((err) => {
          if (isDepotError(err)) throw err;
          throw new DepotError('UPSTREAM_ERROR', 'upstream request failed', { cause: err });
        });
    },
  };
}
