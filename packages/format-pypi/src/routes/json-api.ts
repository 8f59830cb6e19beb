import { type FormatRequest, type FormatResponse, notFound, requireRepoAccess } from '@depot/core';
import type { PypiEnv } from '../env.js';
import { isValidName, normalizeName, parseFileName } from '../names.js';
import { loadPage } from '../pages.js';
import { compareVersions, isPrerelease } from '../pep440.js';
import type { PageFile, ProjectRecord, StoredFile } from '../types.js';

const JSON_HEADERS = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' } as const;

interface Release {
  readonly version: string;
  readonly file: PageFile;
  readonly stored: StoredFile | undefined;
}

/** One file in the JSON API's shape (the fields pip-audit, renovate and poetry read). */
function fileJson(release: Release, url: string): Record<string, unknown> {
  const { file, stored } = release;
  const parsed = parseFileName(file.filename);
  const yanked = file.yanked !== false;
  return {
    filename: file.filename,
    url,
    digests: {
      sha256: file.hashes.sha256 ?? null,
      md5: stored?.md5 ?? file.hashes.md5 ?? null,
      blake2b_256: stored?.blake2b_256 ?? file.hashes.blake2b_256 ?? null,
    },
    md5_digest: stored?.md5 ?? file.hashes.md5 ?? null,
    packagetype: stored?.packagetype ?? parsed?.packagetype ?? 'sdist',
    python_version: stored?.python_version ?? parsed?.pythonVersion ?? 'source',
    requires_python: file.requires_python ?? null,
    size: file.size ?? null,
    upload_time: file.upload_time?.replace(/\.\d+Z$|Z$/, '') ?? null,
    upload_time_iso_8601: file.upload_time ?? null,
    yanked,
    yanked_reason: typeof file.yanked === 'string' ? file.yanked : null,
    has_sig: false,
  };
}

/** `GET /pypi/{project}/json` and `/pypi/{project}/{version}/json`: PyPI's JSON API. */
export async function getJsonApi(
  env: PypiEnv,
  req: FormatRequest,
  name: string,
  version: string | undefined,
): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  if (!isValidName(name)) throw notFound(`no such project: ${name.slice(0, 100)}`);
  const project = normalizeName(name);
  const page = await loadPage(env, req.repo, project, req.signal);
  if (page === null || page.files.length === 0) throw notFound(`no such project: ${project}`);
  const record: ProjectRecord | null =
    req.repo.repo_type === 'hosted' ? await env.store.get(req.repo.name, project) : null;
  const pageUrl = `${req.baseUrl}/repository/${encodeURIComponent(req.repo.name)}/simple/${project}/`;
  const releases = new Map<string, Release[]>();
  for (const file of page.files) {
    const parsed = parseFileName(file.filename, project);
    if (parsed === null) continue;
    const stored = record?.files[file.filename];
    const key = stored?.version ?? parsed.version;
    releases.set(key, [...(releases.get(key) ?? []), { version: key, file, stored }]);
  }
  const versions = [...releases.keys()].sort(compareVersions);
  const live = versions.filter((v) => (releases.get(v) ?? []).some((r) => r.file.yanked === false));
  const latest = live.filter((v) => !isPrerelease(v)).pop() ?? live.pop() ?? versions[versions.length - 1];
  const chosen = version ?? latest;
  const files = chosen === undefined ? undefined : releases.get(chosen);
  if (files === undefined) throw notFound(`no such release: ${project} ${version ?? ''}`);
  const urlOf = (file: PageFile): string => new URL(file.url, pageUrl).href;
  const summary = files.find((r) => r.stored?.summary !== undefined)?.stored?.summary ?? null;
  const requiresPython = files.find((r) => r.file.requires_python !== undefined)?.file.requires_python ?? null;
  const yanked = files.every((r) => r.file.yanked !== false);
  const yankedReason = files.map((r) => r.file.yanked).find((y): y is string => typeof y === 'string') ?? null;
  const base = `${req.baseUrl}/repository/${encodeURIComponent(req.repo.name)}`;
  const body: Record<string, unknown> = {
    info: {
      name: page.name,
      version: chosen,
      summary,
      requires_python: requiresPython,
      yanked,
      yanked_reason: yankedReason,
      package_url: `${base}/pypi/${project}/`,
      project_url: `${base}/pypi/${project}/`,
      release_url: `${base}/pypi/${project}/${chosen}/`,
    },
    last_serial: 0,
    urls: files.map((r) => fileJson(r, urlOf(r.file))),
    vulnerabilities: [],
  };
  if (version === undefined) {
    body.releases = Object.fromEntries(
      versions.map((v) => [v, (releases.get(v) ?? []).map((r) => fileJson(r, urlOf(r.file)))]),
    );
  }
  return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(body) };
}
