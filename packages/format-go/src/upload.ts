import { createReadStream } from 'node:fs';
import {
  badRequest,
  DepotError,
  type FormatRequest,
  type FormatResponse,
  type RepositoryRecord,
  requestWriteTarget,
  requireRepoAccess,
} from '@depot/core';
import type { GoEnv } from './env.js';
import { jsonResponse } from './errors.js';
import { parseGoMod, syntheticGoMod } from './go-mod.js';
import { encodeCase, pathMajor, requireModulePath } from './module-path.js';
import { type MultipartForm, readForm } from './multipart.js';
import { goRepoOptions } from './options.js';
import { filePath } from './paths.js';
import { requireVersionFor } from './version.js';
import { checkModuleZip } from './zip-check.js';

const MAX_INFO_BYTES = 64 * 1024;
const SPOOLED: ReadonlySet<string> = new Set(['zip']);

const text = (bytes: Uint8Array | undefined, what: string): string | undefined => {
  if (bytes === undefined) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badRequest(`${what} is not valid UTF-8`, { field: what });
  }
};

function checkInfo(info: string, version: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(info);
  } catch {
    throw badRequest('info is not a JSON document', { field: 'info' });
  }
  const v = (doc as { Version?: unknown } | null)?.Version;
  if (typeof doc !== 'object' || doc === null || v !== version) {
    throw badRequest(`info must be {"Version": "${version}", ...}`, { field: 'info' });
  }
  return info;
}

/**
 * `POST upload` (multipart: `module`, `version`, `zip`, optional `mod` and `info`): checks the
 * version and the zip by Go's rules and the go.mod's module line, then stores `.zip`, `.mod` and,
 * last, `.info` (which makes the version visible). The same version again is `CONFLICT` unless
 * the repository allows redeploy. 201 with `{module, version}`.
 */
export async function upload(env: GoEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'write');
  const target = await requestWriteTarget(req);
  const form = await readForm(req.headers['content-type'], req.body, {
    spool: SPOOLED,
    fileBytes: {
      zip: env.limits.maxZipBytes,
      mod: env.limits.maxGoModBytes,
      info: MAX_INFO_BYTES,
      module: 1024,
      version: 256,
    },
  });
  try {
    return await store(env, req, target, form);
  } finally {
    await form.cleanup();
  }
}

async function store(
  env: GoEnv,
  req: FormatRequest,
  target: RepositoryRecord,
  form: MultipartForm,
): Promise<FormatResponse> {
  const field = (name: string): string | undefined => form.fields.get(name) ?? text(form.files.get(name), name)?.trim();
  const module = field('module');
  const version = field('version');
  if (module === undefined || module === '') throw badRequest('the upload needs a module field', { field: 'module' });
  if (version === undefined || version === '')
    throw badRequest('the upload needs a version field', { field: 'version' });
  requireModulePath(module);
  requireVersionFor(module, version, pathMajor(module));
  const zip = form.spooled.get('zip');
  if (zip === undefined) throw badRequest('the upload needs a zip part', { field: 'zip' });
  const checked = await checkModuleZip(zip.path, zip.size, module, version, env.limits);
  const modText = form.files.has('mod') || form.fields.has('mod') ? (field('mod') ?? '') : undefined;
  if (modText !== undefined && new TextEncoder().encode(modText).byteLength > env.limits.maxGoModBytes) {
    throw new DepotError('PAYLOAD_TOO_LARGE', `go.mod is larger than ${env.limits.maxGoModBytes} bytes`);
  }
  const goMod = modText ?? checked.goMod ?? syntheticGoMod(module);
  for (const [what, doc] of [
    ['mod', goMod],
    ['zip', checked.goMod],
  ] as const) {
    if (doc === null) continue;
    const declared = parseGoMod(doc).module;
    if (declared !== module) {
      throw badRequest(`go.mod declares module ${declared ?? '(none)'}, not ${module}`, { field: what });
    }
  }
  const infoText = field('info');
  const info =
    infoText === undefined
      ? JSON.stringify({ Version: version, Time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') })
      : checkInfo(infoText, version);

  const encoded = encodeCase(module);
  const encVersion = encodeCase(version);
  const infoPath = filePath(encoded, encVersion, 'info');
  const exists = (await env.engine.stat(target.name, infoPath)) !== null;
  if (exists && !goRepoOptions(target).allow_redeploy) {
    throw new DepotError('CONFLICT', `${module}@${version} already exists`, { details: { module, version } });
  }
  const maxBytes = env.ctx.settings().max_artifact_bytes;
  const opts = { overwrite: true, signal: req.signal, ...(typeof maxBytes === 'number' ? { maxBytes } : {}) };
  // `.info` goes last: a version is listed once it is stored, so a failed upload lists nothing.
  await env.engine.put(target.name, filePath(encoded, encVersion, 'zip'), createReadStream(zip.path), {
    ...opts,
    contentType: 'application/zip',
  });
  await env.engine.put(target.name, filePath(encoded, encVersion, 'mod'), goMod, {
    ...opts,
    contentType: 'text/plain',
  });
  await env.engine.put(target.name, infoPath, info, { ...opts, contentType: 'application/json' });
  await env.summaries.markStale(target.name, encoded);
  return jsonResponse(201, { module, version });
}
