import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  badRequest,
  DepotError,
  type FormatRequest,
  type FormatResponse,
  isDepotError,
  type RepositoryRecord,
  requestWriteTarget,
  requireRepoAccess,
} from '@depot/core';
import type { PypiEnv } from '../env.js';
import { inspectSdist, inspectWheel } from '../inspect.js';
import { receiveUpload, type SpooledFile } from '../multipart.js';
import { filePath, normalizeName, parseFileName, validateName, validateVersion } from '../names.js';
import { compareVersions } from '../pep440.js';
import type { ProjectRecord, StoredFile } from '../types.js';

/** A repository's `format_options.allow_redeploy`: a second upload of one file name replaces it. */
export function allowsRedeploy(repo: RepositoryRecord): boolean {
  return repo.format_options?.allow_redeploy === true;
}

/** PyPI's answer to a second upload of one file name (twine `--skip-existing` recognises it). */
function fileExists(filename: string): DepotError {
  return new DepotError('BAD_REQUEST', `File already exists: ${filename}`, { details: { reason: 'file_exists' } });
}

const DIGEST_FIELDS = [
  ['sha256_digest', 'sha256'],
  ['md5_digest', 'md5'],
  ['blake2_256_digest', 'blake2b_256'],
] as const;

/** Every digest the form sends must match the bytes received. */
function verifyDigests(fields: ReadonlyMap<string, string>, file: SpooledFile): void {
  for (const [field, key] of DIGEST_FIELDS) {
    const sent = fields.get(field)?.trim().toLowerCase();
    if (sent === undefined || sent === '') continue;
    if (sent !== file[key]) {
      throw new DepotError('DIGEST_MISMATCH', `${field} does not match the uploaded file`, { details: { field } });
    }
  }
}

/** `POST /` with `:action=file_upload`: the legacy upload API that twine, uv and poetry use. */
export async function upload(env: PypiEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'write');
  const target = await requestWriteTarget(req);
  const form = await receiveUpload(req.body, req.headers['content-type'], env.uploadLimit());
  try {
    return await store(env, req, target, form.fields, form.file);
  } finally {
    await form.cleanup();
  }
}

async function store(
  env: PypiEnv,
  req: FormatRequest,
  target: RepositoryRecord,
  fields: ReadonlyMap<string, string>,
  file: SpooledFile | undefined,
): Promise<FormatResponse> {
  const action = fields.get(':action');
  if (action !== 'file_upload') throw badRequest(`unsupported :action ${JSON.stringify(action ?? '')}`);
  const name = validateName(fields.get('name') ?? '');
  const version = validateVersion(fields.get('version') ?? '');
  const project = normalizeName(name);
  if (file === undefined) throw badRequest('the upload has no content file');
  if (file.size === 0) throw badRequest('the uploaded file is empty');
  const parsed = parseFileName(file.filename, project);
  if (parsed === null)
    throw badRequest(`invalid distribution file name ${JSON.stringify(file.filename.slice(0, 255))}`);
  if (normalizeName(parsed.name) !== project) throw badRequest('the file name does not match the project name');
  if (compareVersions(parsed.version, version) !== 0 || normalizeName(parsed.version) !== normalizeName(version)) {
    throw badRequest('the file name does not match the version');
  }
  const filetype = fields.get('filetype');
  if (filetype !== undefined && filetype !== parsed.packagetype)
    throw badRequest(`filetype ${filetype} does not match the file name`);
  verifyDigests(fields, file);

  const meta =
    parsed.packagetype === 'bdist_wheel'
      ? await inspectWheel(file.path, file.size)
      : { bytes: undefined, parsed: await inspectSdist(file.path, file.size, file.filename) };
  const kind = parsed.packagetype === 'bdist_wheel' ? 'wheel METADATA' : 'sdist PKG-INFO';
  if (meta.parsed.name === undefined || normalizeName(meta.parsed.name) !== project) {
    throw badRequest(`the ${kind} names another project`);
  }
  if (meta.parsed.version === undefined || compareVersions(meta.parsed.version, version) !== 0) {
    throw badRequest(`the ${kind} names another version`);
  }
  // Only a wheel's METADATA is served as PEP 658 core metadata.
  const metadata = meta.bytes;
  const requiresPython = meta.parsed.requiresPython ?? (fields.get('requires_python') || undefined);
  const summary = meta.parsed.summary ?? (fields.get('summary') || undefined);

  const redeploy = allowsRedeploy(target);
  const existing = await env.store.get(target.name, project);
  if (!redeploy && existing?.files[file.filename] !== undefined) throw fileExists(file.filename);

  const path = filePath(project, version, file.filename);
  try {
    await env.engine.put(target.name, path, createReadStream(file.path), {
      contentType: parsed.packagetype === 'bdist_wheel' ? 'application/zip' : 'application/octet-stream',
      algorithms: ['sha256', 'md5'],
      expected: { size: file.size, sha256: file.sha256 },
      maxBytes: env.uploadLimit(),
      sizeHint: file.size,
      overwrite: redeploy,
      signal: req.signal,
    });
  } catch (err) {
    throw isDepotError(err, 'CONFLICT') ? fileExists(file.filename) : err;
  }
  const stored: StoredFile = {
    filename: file.filename,
    version,
    packagetype: parsed.packagetype,
    python_version: fields.get('pyversion') || parsed.pythonVersion,
    size: file.size,
    sha256: file.sha256,
    md5: file.md5,
    blake2b_256: file.blake2b_256,
    ...(requiresPython === undefined ? {} : { requires_python: requiresPython }),
    ...(summary === undefined ? {} : { summary }),
    upload_time: new Date().toISOString(),
    ...(metadata === undefined ? {} : { core_metadata_sha256: createHash('sha256').update(metadata).digest('hex') }),
  };
  let created = false;
  try {
    if (metadata !== undefined) {
      await env.engine.put(target.name, `${path}.metadata`, metadata, {
        contentType: 'text/plain; charset=utf-8',
        algorithms: ['sha256'],
        overwrite: true,
        signal: req.signal,
      });
    }
    await env.store.update(target.name, project, (current): ProjectRecord => {
      if (!redeploy && current?.files[file.filename] !== undefined) throw fileExists(file.filename);
      created = current === null;
      return { name: current?.name ?? name, files: { ...current?.files, [file.filename]: stored } };
    });
  } catch (err) {
    // The record refused the file: what was just stored must not linger.
    if (!redeploy) {
      await env.engine.delete(target.name, path).catch(() => false);
      await env.engine.delete(target.name, `${path}.metadata`).catch(() => false);
    }
    throw err;
  }
  await env.simple.markStale(target.name, project);
  if (created) await env.simple.markStale(target.name, '');
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'OK\n' };
}
