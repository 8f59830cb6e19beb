import { DepotError, isDepotError } from '../errors/depot-error.js';
import type { ArtifactRecord, RepositoryRecord } from '../kv/records.js';
import type { CachePolicy, UpstreamTimeouts } from './engine.js';
import type { EngineContext } from './engine-context.js';
import { guardUpstreamFetch, offlineMiss } from './upstream-guard.js';

/** What the upstream said about a path. */
export type UpstreamAnswer =
  | { readonly kind: 'ok'; readonly response: Response }
  | { readonly kind: 'not-modified'; readonly response: Response }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'failed'; readonly error: DepotError };

/** Encodes one decoded path segment for a URL (keeps `@`, `:`, `+`; escapes `?`, `#`, `%`, spaces). */
const encodeSegment = (segment: string): string => encodeURI(segment).replace(/[?#]/g, encodeURIComponent);

/** `upstream_url` joined with `path`, safe with or without a trailing slash on the base. */
export function defaultUpstreamUrl(repo: RepositoryRecord, path: string): string {
  if (repo.upstream_url === undefined || repo.upstream_url === '') {
    throw new DepotError('BAD_REQUEST', `cache repository ${repo.name} has no upstream_url`);
  }
  return `${repo.upstream_url.replace(/\/+$/, '')}/${path.split('/').map(encodeSegment).join('/')}`;
}

/** Whether `url` is on the origin of `repo`'s `upstream_url` (false for a malformed URL). */
function onUpstreamOrigin(repo: RepositoryRecord, url: string): boolean {
  try {
    return repo.upstream_url !== undefined && new URL(url).origin === new URL(repo.upstream_url).origin;
  } catch {
    return false;
  }
}

/**
 * The request headers for a fetch of `url`: the repository's Basic credentials — only when `url` is
 * on the upstream's own origin, never for a host the upstream's index links to (a CDN, a file host,
 * a checksum database) — and, when revalidating, the validators.
 */
export function upstreamHeaders(repo: RepositoryRecord, local: ArtifactRecord | null, url: string): Headers {
  const headers = new Headers();
  if (repo.upstream_auth !== undefined && onUpstreamOrigin(repo, url)) {
    const { username, password = '' } = repo.upstream_auth;
    headers.set('authorization', `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`);
  }
  if (local?.upstream_etag !== undefined) headers.set('if-none-match', local.upstream_etag);
  if (local?.upstream_last_modified !== undefined) headers.set('if-modified-since', local.upstream_last_modified);
  return headers;
}

/**
 * Default upstream timeouts (RELIABILITY.md P2): first-byte (headers), idle read, and how long a
 * client streaming a fill may stall before it is dropped (the copy carries on without it).
 */
export const DEFAULT_UPSTREAM_TIMEOUTS: Required<UpstreamTimeouts> = {
  headersMs: 30_000,
  idleMs: 60_000,
  clientStallMs: 30_000,
};

const drain = (response: Response): void => {
  response.body?.cancel().catch(() => undefined);
};

/**
 * Sends the request (through the policy's `fetchUpstream` when it has one). Only the wait for
 * headers is bounded: a total timeout would cut off large downloads, so body stalls are caught by
 * the idle timeout in responseBytes instead. The wait is raced against the timer too, so a fetch
 * (or hook) that ignores its signal cannot hold the read forever; a late answer is discarded.
 */
async function sendWithTimeout(
  ctx: EngineContext,
  policy: CachePolicy,
  target: { repo: RepositoryRecord; path: string; url: string; local: ArtifactRecord | null },
): Promise<Response> {
  const { repo, path, url, local } = target;
  const controller = new AbortController();
  const timeout = new DepotError('UPSTREAM_ERROR', 'upstream headers timeout', { details: { repo: repo.name } });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(timeout);
      reject(timeout);
    }, ctx.timeouts.headersMs);
  });
  const init: RequestInit = { method: 'GET', headers: upstreamHeaders(repo, local, url), signal: controller.signal };
  // Every request of the fill (the format's too) follows redirects only as the guard allows.
  const fetch = guardUpstreamFetch(ctx.fetch, repo, ctx.logger);
  const sent = (async () =>
    policy.fetchUpstream === undefined
      ? fetch(url, init)
      : policy.fetchUpstream({ repo, path, url, init, fetch, logger: ctx.logger }))();
  try {
    return await Promise.race([sent, expired]);
  } catch (err) {
    sent.then(drain, () => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Asks the upstream for `path`, conditionally when `local` carries validators. Network errors,
 * timeouts, 5xx, 429 and any other unexpected status are `failed` (callers fall back to a stale
 * copy); 404/410 are `not-found`; a 200 the format's `validateResponse` rejects is `failed` and its
 * body is discarded unread.
 */
export async function askUpstream(
  ctx: EngineContext,
  repo: RepositoryRecord,
  path: string,
  policy: CachePolicy,
  local: ArtifactRecord | null,
): Promise<UpstreamAnswer> {
  // Offline: what is held is served (stale is fine), a miss is a plain 404 naming the switch.
  if (repo.offline === true) return { kind: 'failed', error: offlineMiss(repo, path) };
  const url = policy.upstreamUrl?.(repo, path) ?? defaultUpstreamUrl(repo, path);
  let response: Response;
  try {
    response = await sendWithTimeout(ctx, policy, { repo, path, url, local });
  } catch (cause) {
    if (isDepotError(cause, 'UPSTREAM_ERROR')) return { kind: 'failed', error: cause };
    return {
      kind: 'failed',
      error: new DepotError('UPSTREAM_ERROR', 'upstream unreachable', { cause, details: { repo: repo.name } }),
    };
  }
  const { status } = response;
  if (status === 304 && local !== null) {
    drain(response);
    return { kind: 'not-modified', response };
  }
  if (status === 404 || status === 410) {
    drain(response);
    return { kind: 'not-found' };
  }
  if (status !== 200) {
    drain(response);
    return {
      kind: 'failed',
      error: new DepotError('UPSTREAM_ERROR', 'upstream answered with an error', {
        details: { repo: repo.name, status },
      }),
    };
  }
  try {
    policy.validateResponse?.(path, status, response.headers);
  } catch (cause) {
    drain(response);
    const error = isDepotError(cause)
      ? cause
      : new DepotError('UPSTREAM_ERROR', 'upstream answer rejected', { cause, details: { repo: repo.name } });
    return { kind: 'failed', error };
  }
  return { kind: 'ok', response };
}

/**
 * The response body as a byte source; cancels the upstream stream when the consumer stops early,
 * and fails with `UPSTREAM_ERROR` when no bytes arrive for `idleMs`.
 */
export async function* responseBytes(
  response: Response,
  idleMs = DEFAULT_UPSTREAM_TIMEOUTS.idleMs,
): AsyncGenerator<Uint8Array> {
  if (response.body === null) return;
  const reader = response.body.getReader();
  let finished = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DepotError('UPSTREAM_ERROR', 'upstream stalled mid-body')), idleMs);
      });
      let step: Awaited<ReturnType<typeof reader.read>>;
      try {
        step = await Promise.race([reader.read(), idle]);
      } finally {
        clearTimeout(timer);
      }
      if (step.done) {
        finished = true;
        return;
      }
      yield step.value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}
