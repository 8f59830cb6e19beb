import { type FormatRequest, type FormatResponse, notFound, requireRepoAccess, upstreamSignal } from '@depot/core';
import { loadPackument, type NpmEnv } from '../env.js';
import { jsonWithEtag, packumentResponse, tarballBase, withTarballUrls } from '../render.js';
import { own } from '../types.js';

/** The repository whose document a `?write=true` read must show: a proxy's write target. */
async function writeView(env: NpmEnv, req: FormatRequest) {
  if (req.repo.repo_type !== 'proxy' || req.query.get('write') !== 'true') return req.repo;
  return env.engine.resolveWriteTarget(req.repo.name, 'read');
}

/** `GET|HEAD {name}`: the full or abbreviated packument. */
export async function getPackument(env: NpmEnv, req: FormatRequest, name: string): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  const repo = await writeView(env, req);
  const loaded = await loadPackument(env, repo, name, upstreamSignal(req));
  if (loaded === null) throw notFound(`package ${name} not found`);
  return packumentResponse(req, loaded.doc, loaded.rev);
}

/** `GET {name}/{version|tag}`: one version's manifest. */
export async function getVersion(env: NpmEnv, req: FormatRequest, name: string, spec: string): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  const loaded = await loadPackument(env, req.repo, name, upstreamSignal(req));
  if (loaded === null) throw notFound(`package ${name} not found`);
  const doc = withTarballUrls(loaded.doc, tarballBase(req));
  const version = own(doc.versions, own(doc['dist-tags'], spec) ?? spec);
  if (version === undefined) throw notFound(`version ${spec} of ${name} not found`);
  return jsonWithEtag(req, version, 'application/json');
}
