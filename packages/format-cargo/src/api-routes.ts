import { createHash } from 'node:crypto';
import {
  badRequest,
  cooldownRefusal,
  DepotError,
  type FormatRequest,
  type FormatResponse,
  immutableArtifactResponse,
  isDepotError,
  notFound,
  readBounded,
  requestWriteTarget,
  upstreamSignal,
} from '@depot/core';
import semver from 'semver';
import { coolingUntil, crateExpectation, upstreamDl } from './cache.js';
import { checkCrateFile } from './crate-file.js';
import type { CargoEnv } from './env.js';
import { jsonResponse } from './errors.js';
import { versionsOf } from './index-routes.js';
import { readPublishMetadata } from './metadata.js';
import { cratePath, identity } from './names.js';
import type { CrateRecord } from './records.js';
import { readPublishBody } from './wire.js';

const now = (): string => new Date().toISOString();

/** Owners (and administrators) may publish new versions, yank and change owners. */
function requireOwner(req: FormatRequest, record: CrateRecord): void {
  if (req.principal.admin || record.owners.includes(req.principal.username)) return;
  throw new DepotError('FORBIDDEN', `${req.principal.username} is not an owner of ${record.name}`);
}

/**
 * `PUT api/v1/crates/new`: the wire format, the `.crate` checked (paths, Cargo.toml name and
 * version), stored, then the version appended to the index — visible at once. A name taken in
 * another spelling (`-`/`_`, case) or an existing version is 400, as crates.io answers.
 */
export async function publish(env: CargoEnv, req: FormatRequest): Promise<FormatResponse> {
  const target = await requestWriteTarget(req);
  const { metadata, crate } = await readPublishBody(req.body, env.limits);
  const meta = readPublishMetadata(metadata);
  const existing = await env.crates.get(target.name, meta.name);
  if (existing !== null) {
    if (existing.name !== meta.name) {
      throw badRequest(`crate name "${meta.name}" is taken by "${existing.name}" (names equal ignoring case and -/_)`);
    }
    requireOwner(req, existing);
    if (existing.versions.some((v) => v.vers === meta.vers)) {
      throw badRequest(`crate version \`${meta.name}@${meta.vers}\` is already uploaded`);
    }
  }
  checkCrateFile(crate, meta.name, meta.vers, env.limits.maxUnpackedBytes);
  const cksum = createHash('sha256').update(crate).digest('hex');
  const path = cratePath(meta.name, meta.vers, cksum);
  // The SHA-256 is already known (it names the path): the engine hashes BLAKE3 only.
  await env.engine.put(target.name, path, crate, { contentType: 'application/gzip' });
  try {
    await addVersion(env, req, target.name, meta, cksum);
  } catch (err) {
    // Unless the index lists this version with these very bytes (another publish of the same file
    // won), the file just stored belongs to nothing: it goes, the winner's stays.
    const listed = (await env.crates.get(target.name, meta.name))?.versions.find((v) => v.vers === meta.vers);
    if (listed?.cksum !== cksum) await env.engine.delete(target.name, path).catch(() => false);
    throw err;
  }
  return jsonResponse(200, { warnings: { invalid_categories: [], invalid_badges: [], other: [] } });
}

/** Appends `meta`'s version to the index (compare-and-swap): `BAD_REQUEST` when it is already there. */
async function addVersion(
  env: CargoEnv,
  req: FormatRequest,
  repo: string,
  meta: ReturnType<typeof readPublishMetadata>,
  cksum: string,
): Promise<void> {
  await env.crates.update(repo, meta.name, (current) => {
    if (current?.versions.some((v) => v.vers === meta.vers) === true) {
      throw badRequest(`crate version \`${meta.name}@${meta.vers}\` is already uploaded`);
    }
    if (current !== null && current.name !== meta.name) throw badRequest(`crate name "${meta.name}" is taken`);
    return {
      name: meta.name,
      versions: [...(current?.versions ?? []), meta.entry(cksum)],
      owners: current?.owners ?? [req.principal.username],
      description: meta.description ?? current?.description ?? null,
      updated_at: now(),
    };
  });
}

/**
 * `GET api/v1/crates/{name}/{version}/download`: the `.crate` from the first member holding the
 * version; a cache fetches it from its upstream's `dl` on first use, checked against the `cksum`
 * its upstream index announces.
 */
export async function download(
  env: CargoEnv,
  req: FormatRequest,
  name: string,
  version: string,
): Promise<FormatResponse> {
  const signal = upstreamSignal(req);
  const members = req.repo.repo_type === 'proxy' ? await env.engine.resolveMembers(req.repo.name) : [req.repo];
  for (const member of members) {
    if (member.repo_type !== 'hosted' && member.repo_type !== 'cache') continue;
    let entries: Awaited<ReturnType<typeof versionsOf>>;
    try {
      entries = await versionsOf(env, member, name, signal);
    } catch (err) {
      // Through a proxy, a cache member whose upstream fails is skipped like in the index.
      if (req.repo.repo_type !== 'proxy' || !isDepotError(err, 'UPSTREAM_ERROR')) throw err;
      continue;
    }
    const entry = entries?.find((e) => e.vers === version);
    if (entry === undefined) {
      const until = entries === null || entries === undefined ? undefined : coolingUntil(entries, version);
      if (until !== undefined) throw cooldownRefusal(member.name, `${name} ${version}`, until);
      continue;
    }
    // The upstream's `dl`, read from its config.json once per process (fills need it to build URLs).
    if (member.repo_type === 'cache' && !env.templates.has(member.name)) {
      await upstreamDl(env.engine, env.templates, member.name, signal);
    }
    const path = member.repo_type === 'cache' ? cratePath(name, version) : cratePath(name, version, entry.cksum);
    const read = await env.engine.get(member.name, path, {
      headOnly: req.method === 'HEAD',
      signal,
      ...(member.repo_type === 'cache' ? { expected: crateExpectation(entry) } : {}),
    });
    if (read !== null) return immutableArtifactResponse(req, read, { 'content-type': 'application/gzip' });
  }
  throw notFound(`no crate ${name} ${version}`);
}

/** `DELETE …/{name}/{version}/yank` and `PUT …/unyank`: flips `yanked` in the index. */
export async function setYanked(
  env: CargoEnv,
  req: FormatRequest,
  name: string,
  version: string,
  yanked: boolean,
): Promise<FormatResponse> {
  const target = await requestWriteTarget(req, 'write');
  const current = await env.crates.get(target.name, name);
  if (current === null || !current.versions.some((v) => v.vers === version))
    throw notFound(`no crate ${name} ${version}`);
  requireOwner(req, current);
  await env.crates.update(target.name, name, (record) => {
    if (record === null) throw notFound(`no crate ${name}`);
    return {
      ...record,
      versions: record.versions.map((v) => (v.vers === version ? { ...v, yanked } : v)),
      updated_at: now(),
    };
  });
  return jsonResponse(200, { ok: true });
}

/** `GET/PUT/DELETE api/v1/crates/{name}/owners`: owners are Depot usernames. */
export async function owners(env: CargoEnv, req: FormatRequest, name: string): Promise<FormatResponse> {
  const target = req.method === 'GET' ? req.repo : await requestWriteTarget(req, 'write');
  const current =
    target.repo_type === 'hosted' ? await env.crates.get(target.name, name) : await firstHosted(env, target.name, name);
  if (current === null) throw notFound(`no crate ${name}`);
  const list = (users: readonly string[]) => ({
    users: users.map((login, i) => ({ id: i + 1, login, name: login })),
  });
  if (req.method === 'GET') return jsonResponse(200, list(current.owners));
  requireOwner(req, current);
  const raw = await readBounded(req.body, 64 * 1024);
  let users: unknown;
  try {
    users = (JSON.parse(new TextDecoder().decode(raw)) as { users?: unknown }).users;
  } catch {
    throw badRequest('expected {"users": [...]}');
  }
  if (
    !Array.isArray(users) ||
    users.length === 0 ||
    users.some((u) => typeof u !== 'string' || !/^[\w.@-]{1,128}$/.test(u))
  ) {
    throw badRequest('expected {"users": ["login", ...]}');
  }
  const adding = req.method === 'PUT';
  const exists = env.ctx.auth.userExists;
  if (adding && exists !== undefined) {
    const unknown: string[] = [];
    for (const u of users as string[]) if (!(await exists(u))) unknown.push(u);
    if (unknown.length > 0) throw badRequest(`no Depot user ${unknown.join(', ')}: owners are Depot usernames`);
  }
  const next = await env.crates.update(target.name, name, (record) => {
    if (record === null) throw notFound(`no crate ${name}`);
    const set = new Set(record.owners);
    for (const u of users as string[]) {
      if (adding) set.add(u);
      else set.delete(u);
    }
    if (set.size === 0) throw badRequest('a crate needs at least one owner');
    return { ...record, owners: [...set], updated_at: now() };
  });
  const msg = `${adding ? 'added' : 'removed'} ${(users as string[]).join(', ')} ${adding ? 'to' : 'from'} the owners of ${next.name}`;
  return jsonResponse(200, { ok: true, msg });
}

async function firstHosted(env: CargoEnv, repo: string, name: string): Promise<CrateRecord | null> {
  for (const member of await env.engine.resolveMembers(repo)) {
    if (member.repo_type !== 'hosted') continue;
    const record = await env.crates.get(member.name, name);
    if (record !== null) return record;
  }
  return null;
}

/** `GET api/v1/crates?q=&per_page=`: crates whose name contains `q`, with the highest unyanked version. */
export async function search(env: CargoEnv, req: FormatRequest): Promise<FormatResponse> {
  const q = identity(req.query.get('q') ?? '');
  const perPage = Math.min(Math.max(Number(req.query.get('per_page') ?? '10') || 10, 1), 100);
  const members =
    req.repo.repo_type === 'hosted'
      ? [req.repo]
      : (await env.engine.resolveMembers(req.repo.name)).filter((m) => m.repo_type === 'hosted');
  const found = new Map<string, { name: string; max_version: string; description: string | null }>();
  for (const member of members) {
    for await (const record of env.crates.scan(member.name)) {
      if (!identity(record.name).includes(q) || found.has(identity(record.name))) continue;
      const live = record.versions.filter((v) => !v.yanked).map((v) => v.vers);
      const pool = live.length > 0 ? live : record.versions.map((v) => v.vers);
      const max = pool.sort(semver.rcompare)[0] ?? '0.0.0';
      found.set(identity(record.name), { name: record.name, max_version: max, description: record.description });
    }
  }
  const crates = [...found.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  return jsonResponse(200, { crates: crates.slice(0, perPage), meta: { total: crates.length } });
}
