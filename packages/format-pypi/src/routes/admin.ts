import {
  badRequest,
  type FormatRequest,
  type FormatResponse,
  notFound,
  readBounded,
  requestWriteTarget,
  requireRepoAccess,
} from '@depot/core';
import type { PypiEnv } from '../env.js';
import { filePath, isSafeFileName, isValidName, normalizeName } from '../names.js';
import { compareVersions } from '../pep440.js';
import type { ProjectRecord, StoredFile } from '../types.js';

const JSON_HEADERS = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' } as const;
const MAX_REASON_BODY = 64 * 1024;

function projectOf(name: string): string {
  if (!isValidName(name)) throw badRequest(`invalid project name: ${JSON.stringify(name.slice(0, 100))}`);
  return normalizeName(name);
}

/** The files of `version` (PEP 440 equal: `1.0` names `1.0.0` too) in `record`. */
function filesOf(record: ProjectRecord | null, version: string): StoredFile[] {
  return Object.values(record?.files ?? {}).filter((f) => compareVersions(f.version, version) === 0);
}

/** Reads the optional `{"reason": "…"}` body of a yank. */
async function yankReason(req: FormatRequest): Promise<string> {
  const bytes = await readBounded(req.body, MAX_REASON_BODY);
  if (bytes.byteLength === 0) return '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw badRequest('the yank body must be JSON: {"reason": "…"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw badRequest('the yank body must be a JSON object');
  const { reason, ...rest } = parsed as Record<string, unknown>;
  const [unknown] = Object.keys(rest);
  if (unknown !== undefined) throw badRequest(`unknown field ${unknown}`, { field: unknown });
  if (reason !== undefined && typeof reason !== 'string')
    throw badRequest('reason must be a string', { field: 'reason' });
  return reason ?? '';
}

/**
 * `PUT /pypi/{project}/{version}/yank` (body `{"reason"}` optional) yanks every file of a release
 * (PEP 592); `DELETE` on the same path un-yanks it. Both need `delete`.
 */
export async function setYank(
  env: PypiEnv,
  req: FormatRequest,
  name: string,
  version: string,
  yank: boolean,
): Promise<FormatResponse> {
  requireRepoAccess(req, 'delete');
  const target = await requestWriteTarget(req, 'delete');
  const project = projectOf(name);
  const reason = yank ? await yankReason(req) : '';
  let changed: StoredFile[] = [];
  await env.store.update(target.name, project, (current) => {
    changed = filesOf(current, version);
    if (current === null || changed.length === 0) throw notFound(`no such release: ${project} ${version}`);
    const files: Record<string, StoredFile> = { ...current.files };
    for (const file of changed) {
      const { yanked: _y, yanked_reason: _r, ...rest } = file;
      files[file.filename] = yank ? { ...rest, yanked: true, yanked_reason: reason } : rest;
    }
    return { ...current, files };
  });
  await env.simple.markStale(target.name, project);
  return {
    status: 200,
    headers: JSON_HEADERS,
    body: JSON.stringify({
      project,
      version,
      yanked: yank,
      ...(yank ? { reason } : {}),
      files: changed.map((f) => f.filename),
    }),
  };
}

/**
 * Removes the files of `version` of hosted `project` (only `filename` when given): the record no
 * longer lists them, then the files and their `.metadata` go (a crash in between leaves unlisted
 * blobs, never listed files without bytes). `NOT_FOUND` when nothing matches.
 */
export async function removeFiles(
  env: PypiEnv,
  repo: string,
  project: string,
  version: string,
  filename?: string,
): Promise<StoredFile[]> {
  let removed: StoredFile[] = [];
  let gone = false;
  await env.store.update(repo, project, (current) => {
    removed = filesOf(current, version).filter((f) => filename === undefined || f.filename === filename);
    if (current === null || removed.length === 0)
      throw notFound(`nothing to delete: ${project} ${version} ${filename ?? ''}`);
    const files: Record<string, StoredFile> = { ...current.files };
    for (const file of removed) delete files[file.filename];
    gone = Object.keys(files).length === 0;
    return gone ? null : { ...current, files };
  });
  for (const file of removed) {
    const path = filePath(project, file.version, file.filename);
    await env.engine.delete(repo, path);
    await env.engine.delete(repo, `${path}.metadata`);
  }
  await env.simple.markStale(repo, project);
  if (gone) await env.simple.markStale(repo, '');
  return removed;
}

/** `DELETE /pypi/{project}/{version}` (a release) or `/pypi/{project}/{version}/{filename}` (one file). */
export async function deleteFiles(
  env: PypiEnv,
  req: FormatRequest,
  name: string,
  version: string,
  filename: string | undefined,
): Promise<FormatResponse> {
  requireRepoAccess(req, 'delete');
  const target = await requestWriteTarget(req, 'delete');
  const project = projectOf(name);
  if (filename !== undefined && !isSafeFileName(filename)) throw badRequest('invalid file name');
  const removed = await removeFiles(env, target.name, project, version, filename);
  return {
    status: 200,
    headers: JSON_HEADERS,
    body: JSON.stringify({ project, version, deleted: removed.map((f) => f.filename) }),
  };
}
