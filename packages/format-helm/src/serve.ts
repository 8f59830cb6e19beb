import {
  type ArtifactRead,
  DepotError,
  type ExpectedContent,
  type FormatRequest,
  type FormatResponse,
  fillsFromUpstream,
  immutableArtifactResponse,
  isDepotError,
  notFound,
  requireRepoAccess,
  upstreamSignal,
} from '@depot/core';
import type { HelmEnv } from './env.js';
import { type IndexDoc, renderIndex, sha256Of } from './index-doc.js';
import { entryAt, loadIndex } from './load-index.js';
import { helmRepoOptions } from './options.js';
import { EXTERNAL_PREFIX, isProvPath } from './paths.js';

const YAML_HEADERS = { 'content-type': 'application/x-yaml', 'cache-control': 'no-cache' } as const;

/** `{base}/repository/{repo}/` : what relative chart URLs resolve against. */
export const repositoryUrl = (req: Pick<FormatRequest, 'baseUrl' | 'repo'>): string =>
  `${req.baseUrl.replace(/\/+$/, '')}/repository/${encodeURIComponent(req.repo.name)}/`;

const isAbsolute = (url: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(url);

/** The document with every relative chart URL made absolute under `base`. */
function absolutize(doc: IndexDoc, base: string): IndexDoc {
  const entries = Object.fromEntries(
    Object.entries(doc.entries).map(([name, list]) => [
      name,
      list.map((e) => ({ ...e, urls: e.urls.map((u) => (isAbsolute(u) ? u : `${base}${u}`)) })),
    ]),
  );
  return { ...doc, entries };
}

/** `GET|HEAD index.yaml` for any repository type. */
export async function getIndexYaml(env: HelmEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  const absolute = helmRepoOptions(req.repo).absolute_urls;
  let body: string | Uint8Array;
  if (req.repo.repo_type === 'hosted' && !absolute) {
    body = await env.hostedIndex.read(req.repo.name);
  } else {
    const loaded = await loadIndex(env, req.repo, upstreamSignal(req));
    if (loaded === null) throw notFound('the upstream has no index.yaml');
    const base = absolute ? repositoryUrl(req) : '';
    const memoKey = `${req.repo.name}\u0000${loaded.key}\u0000${base}`;
    let rendered = env.rendered.get(memoKey);
    if (rendered === undefined) {
      rendered = renderIndex(absolute ? absolutize(loaded.doc, base) : loaded.doc);
      env.rendered.set(memoKey, rendered);
    }
    body = rendered;
  }
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    status: 200,
    headers: { ...YAML_HEADERS, 'content-length': String(bytes.byteLength) },
    body: req.method === 'HEAD' ? null : bytes,
  };
}

/**
 * What a cache fill of `path` must match: the digest the index the client sees names for it. No
 * expectation when no fill can happen (hosted, or a member ahead of every cache already holds it).
 */
async function fillExpectation(env: HelmEnv, req: FormatRequest, path: string): Promise<ExpectedContent | undefined> {
  if (isProvPath(path) || !(await fillsFromUpstream(req, path))) return undefined;
  const loaded = await loadIndex(env, req.repo, upstreamSignal(req));
  const entry = loaded === null ? undefined : entryAt(loaded.doc, path);
  if (entry === undefined) {
    if (path.startsWith(EXTERNAL_PREFIX)) throw notFound(`${path} is not listed in index.yaml`);
    return undefined;
  }
  const sha256 = sha256Of(entry.digest);
  return sha256 === undefined ? undefined : { sha256 };
}

/** `GET|HEAD` of a chart or provenance file; cache repositories fetch it on first download. */
export async function getChartFile(env: HelmEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  const path = req.path;
  const expected = await fillExpectation(env, req, path);
  let read: ArtifactRead | null;
  try {
    read = await env.engine.get(req.repo.name, path, {
      headOnly: req.method === 'HEAD',
      signal: upstreamSignal(req),
      ...(expected === undefined ? {} : { expected }),
    });
  } catch (err) {
    if (expected === undefined || !(isDepotError(err, 'DIGEST_MISMATCH') || isDepotError(err, 'UPSTREAM_ERROR'))) {
      throw err;
    }
    env.ctx.logger.warn(
      { repo: req.repo.name, path },
      'helm upstream chart does not match the index digest; not stored',
    );
    throw new DepotError('UPSTREAM_ERROR', `upstream chart ${path} does not match the digest in index.yaml`, {
      cause: err,
    });
  }
  if (read === null) throw notFound(`${path} not found`);
  return immutableArtifactResponse(req, read, {
    'content-type': isProvPath(path) ? 'application/pgp-signature' : 'application/gzip',
    'x-content-type-options': 'nosniff',
  });
}
