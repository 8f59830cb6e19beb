import {
  badRequest,
  type FormatRequest,
  type FormatResponse,
  notFound,
  requestWriteTarget,
  requireRepoAccess,
} from '@depot/core';
import { readJsonValue } from '../body.js';
import { loadPackument, type NpmEnv } from '../env.js';
import { jsonResponse } from '../errors.js';
import { validatePackageName } from '../names.js';
import { dict, validateTag } from '../tags.js';

const MAX_TAG_BODY = 4096;

/** `GET -/package/{name}/dist-tags` (`npm dist-tag ls`). */
export async function listTags(env: NpmEnv, req: FormatRequest, name: string): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  const loaded = await loadPackument(env, req.repo, name, req.signal);
  if (loaded === null) throw notFound(`package ${name} not found`);
  return jsonResponse(200, loaded.doc['dist-tags']);
}

/** `PUT -/package/{name}/dist-tags/{tag}` with a JSON string body (`npm dist-tag add`). */
export async function setTag(env: NpmEnv, req: FormatRequest, name: string, tag: string): Promise<FormatResponse> {
  requireRepoAccess(req, 'write');
  validatePackageName(name);
  validateTag(tag);
  const version = await readJsonValue(req.body, req.headers, MAX_TAG_BODY);
  if (typeof version !== 'string') throw badRequest('the body must be a JSON string naming a version');
  const target = await requestWriteTarget(req);
  await env.store.update(target.name, name, (current) => {
    if (current === null) throw notFound(`package ${name} not found`);
    if (!Object.hasOwn(current.doc.versions, version)) throw badRequest(`version ${version} of ${name} does not exist`);
    const tags = Object.assign(dict<string>(), current.doc['dist-tags']);
    tags[tag] = version;
    return { ...current.doc, 'dist-tags': tags };
  });
  env.merged.invalidate(name);
  return jsonResponse(201, { ok: true });
}

/** `DELETE -/package/{name}/dist-tags/{tag}` (`npm dist-tag rm`); `latest` cannot be removed. */
export async function removeTag(env: NpmEnv, req: FormatRequest, name: string, tag: string): Promise<FormatResponse> {
  requireRepoAccess(req, 'write');
  validatePackageName(name);
  if (tag === 'latest') throw badRequest('the latest tag cannot be removed');
  const target = await requestWriteTarget(req);
  await env.store.update(target.name, name, (current) => {
    if (current === null) throw notFound(`package ${name} not found`);
    if (!Object.hasOwn(current.doc['dist-tags'], tag)) throw notFound(`dist-tag ${tag} not found`);
    // A tag stored before names were checked (`constructor`) can still be removed.
    const tags = Object.assign(dict<string>(), current.doc['dist-tags']);
    delete tags[tag];
    return { ...current.doc, 'dist-tags': tags };
  });
  env.merged.invalidate(name);
  return jsonResponse(200, { ok: true });
}
