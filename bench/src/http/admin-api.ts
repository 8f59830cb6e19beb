import { type Endpoint, HttpStatusError, send } from './client.js';

/** One artifact as listed by `GET /api/v1/repositories/{r}/artifacts`. */
export interface ArtifactEntry {
  readonly path: string;
  readonly size: number;
}

/** Creates the file store `name` at `root` unless it exists. Returns true when it was created. */
export async function ensureStore(ep: Endpoint, name: string, root: string): Promise<boolean> {
  const got = await send(ep, 'GET', `/api/v1/stores/${encodeURIComponent(name)}`, { expect: [200, 404] });
  if (got.status === 200) return false;
  await send(ep, 'POST', '/api/v1/stores', {
    body: JSON.stringify({ name, store_type: 'file', root }),
    headers: { 'content-type': 'application/json' },
    expect: [200, 201, 409],
  });
  return true;
}

/** Creates a hosted repository of `format` in `store` unless it exists. Returns true when it was created. */
export async function ensureRepo(ep: Endpoint, name: string, format: string, store: string): Promise<boolean> {
  const res = await send(ep, 'POST', '/api/v1/repositories', {
    body: JSON.stringify({ name, repo_type: 'hosted', format, store }),
    headers: { 'content-type': 'application/json' },
    expect: [200, 201, 409],
  });
  return res.status !== 409;
}

/** Names of the repositories the caller can read. */
export async function listRepos(ep: Endpoint): Promise<{ name: string; format: string }[]> {
  const res = await send(ep, 'GET', '/api/v1/repositories', { text: true });
  return JSON.parse(res.text) as { name: string; format: string }[];
}

/** Searches a repository's artifacts: a flat list of paths containing `q` (non-empty). */
export async function searchArtifacts(ep: Endpoint, repo: string, q: string, limit = 1000): Promise<ArtifactEntry[]> {
  const qs = new URLSearchParams({ q, limit: String(limit) });
  const res = await send(ep, 'GET', `/api/v1/repositories/${encodeURIComponent(repo)}/artifacts?${qs}`, {
    text: true,
  });
  const body = JSON.parse(res.text) as { artifacts?: ArtifactEntry[] };
  return body.artifacts ?? [];
}

/** Lists one directory level of a repository (returns the byte count read, for the load generator). */
export async function browseArtifacts(ep: Endpoint, repo: string, prefix: string, limit = 100): Promise<number> {
  const qs = new URLSearchParams({ prefix, limit: String(limit) });
  const res = await send(ep, 'GET', `/api/v1/repositories/${encodeURIComponent(repo)}/artifacts?${qs}`);
  return res.bytes;
}

/** True when `GET /api/v1/health` answers 200. */
export async function isHealthy(ep: Endpoint): Promise<boolean> {
  try {
    await send(ep, 'GET', '/api/v1/health');
    return true;
  } catch (err) {
    if (err instanceof HttpStatusError) return false;
    return false;
  }
}
