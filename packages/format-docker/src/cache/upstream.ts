import { DepotError, type Logger, type RepositoryRecord, type UpstreamFetch } from '@depot/core';

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

/** Creates an {@link UpstreamClient}; tokens are cached per repository and scope until they expire. */
export function createUpstreamClient(
  fetch: UpstreamFetch,
  logger: Logger,
  now: () => number = Date.now,
): UpstreamClient {
  const tokens = new Map<string, CachedToken>();

  async function fetchToken(repo: RepositoryRecord, upstream: URL, challenge: Record<string, string>, scope: string) {
    const realmText = challenge.realm;
    if (realmText === undefined) throw new DepotError('UPSTREAM_ERROR', 'upstream Bearer challenge has no realm');
    const realm = new URL(realmText);
    if (!realmTrusted(upstream, realm)) {
      logger.warn({ repo: repo.name, realm: realm.host }, 'refusing untrusted upstream token realm');
      throw new DepotError('UPSTREAM_ERROR', 'upstream token realm is not on the upstream host');
    }
    if (challenge.service !== undefined) realm.searchParams.set('service', challenge.service);
    realm.searchParams.set('scope', challenge.scope ?? scope);
    const auth = basic(repo);
    const res = await fetch(realm.toString(), {
      method: 'GET',
      headers: auth === undefined ? {} : { Authorization: auth },
    });
    if (!res.ok) throw new DepotError('UPSTREAM_ERROR', `upstream token request failed with ${res.status}`);
    const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (typeof token !== 'string') throw new DepotError('UPSTREAM_ERROR', 'upstream token response has no token');
    const ttl = Math.max(30, Math.min(body.expires_in ?? 60, 3600)) - 10;
    return { token, expiresAt: now() + ttl * 1000 };
  }

  return {
    async request(repo, path, init) {
      const base = repo.upstream_url;
      if (base === undefined) throw new DepotError('UPSTREAM_ERROR', 'cache repository has no upstream_url');
      const upstream = new URL(base);
      const url = base.replace(/\/+$/, '') + path;
      const image = /^\/v2\/(.+)\/(manifests|blobs|tags|referrers)\//.exec(path)?.[1] ?? '';
      const scope = `repository:${image}:pull`;
      const key = `${repo.name} ${scope}`;
      const send = (authorization: string | undefined): Promise<Response> =>
        fetch(url, {
          method: init.method,
          headers: { ...init.headers, ...(authorization === undefined ? {} : { Authorization: authorization }) },
          redirect: 'follow',
        });
      const cached = tokens.get(key);
      const first = cached !== undefined && cached.expiresAt > now() ? `Bearer ${cached.token}` : basic(repo);
      const res = await send(first);
      if (res.status !== 401) return res;
      const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
      await res.body?.cancel();
      if (challenge.scheme !== 'bearer') return send(basic(repo));
      const fresh = await fetchToken(repo, upstream, challenge.params, scope);
      tokens.set(key, fresh);
      return send(`Bearer ${fresh.token}`);
    },
  };
}
